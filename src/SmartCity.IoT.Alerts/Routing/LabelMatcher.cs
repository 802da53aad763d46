using System.Text.RegularExpressions;

namespace SmartCity.IoT.Alerts.Routing;

/// <summary>An Alertmanager matcher: <c>name="value"</c>, <c>name!="value"</c>, <c>name=~"regex"</c>, <c>name!~"regex"</c> (regexes are anchored; quotes optional).</summary>
internal sealed class LabelMatcher
{
    private readonly Regex? _regex;

    private LabelMatcher(string name, string op, string value)
    {
        Name = name;
        Operator = op;
        Value = value;
        if (op is "=~" or "!~")
        {
            _regex = new Regex("^(?:" + value + ")$", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
        }
    }

    public string Name { get; }

    public string Operator { get; }

    public string Value { get; }

    /// <summary>A missing label counts as the empty string, as in Alertmanager.</summary>
    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        var actual = labels.TryGetValue(Name, out var v) ? v : "";
        return Operator switch
        {
            "=" => actual == Value,
            "!=" => actual != Value,
            "=~" => _regex!.IsMatch(actual),
            _ => !_regex!.IsMatch(actual),
        };
    }

    public static bool MatchesAll(IReadOnlyList<LabelMatcher> matchers, IReadOnlyDictionary<string, string> labels)
    {
        foreach (var m in matchers)
        {
            if (!m.Matches(labels))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Parses one matcher; throws <see cref="FormatException"/> naming the text and what is wrong.</summary>
    public static LabelMatcher Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var s = text.Trim();
        var i = s.IndexOfAny(['=', '!']);
        if (i <= 0)
        {
            throw new FormatException($"matcher '{text}': expected name=\"value\", name!=\"value\", name=~\"regex\" or name!~\"regex\"");
        }

        var name = s[..i].Trim();
        string op;
        if (s.AsSpan(i).StartsWith("=~") || s.AsSpan(i).StartsWith("!=") || s.AsSpan(i).StartsWith("!~"))
        {
            op = s.Substring(i, 2);
        }
        else if (s[i] == '=')
        {
            op = "=";
        }
        else
        {
            throw new FormatException($"matcher '{text}': unknown operator after '{name}'");
        }

        if (!IsLabelName(name))
        {
            throw new FormatException($"matcher '{text}': '{name}' is not a label name ([A-Za-z_][A-Za-z0-9_]*)");
        }

        var value = s[(i + op.Length)..].Trim();
        if (value.Length >= 2 && value[0] == '"' && value[^1] == '"')
        {
            value = value[1..^1].Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);
        }

        try
        {
            return new LabelMatcher(name, op, value);
        }
        catch (ArgumentException ex)
        {
            throw new FormatException($"matcher '{text}': invalid regex: {ex.Message}", ex);
        }
    }

    public static IReadOnlyList<LabelMatcher> ParseAll(IEnumerable<string> texts) => texts.Select(Parse).ToArray();

    public override string ToString() => $"{Name}{Operator}\"{Value}\"";

    private static bool IsLabelName(string name)
    {
        if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return true;
    }
}
