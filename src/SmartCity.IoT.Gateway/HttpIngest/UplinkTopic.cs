using System.Text;
using System.Text.RegularExpressions;

namespace SmartCity.IoT.Gateway.HttpIngest;

/// <summary>
/// An ingest source's topic template (<c>v3/{application}@ttn/devices/{device}/up</c>): which body values it needs, and
/// the topic of one uplink. Values become whole or partial MQTT topic levels, so one holding <c>/</c>, <c>+</c> or <c>#</c>
/// is refused rather than routed somewhere else.
/// </summary>
internal sealed partial class UplinkTopic
{
    public static readonly IReadOnlyList<string> Placeholders = ["application", "device", "dev_eui", "f_port"];

    private readonly string _template;

    private UplinkTopic(string template, IReadOnlySet<string> uses)
    {
        _template = template;
        Uses = uses;
    }

    /// <summary>The placeholders the template names.</summary>
    public IReadOnlySet<string> Uses { get; }

    public static UplinkTopic? TryParse(string template, out string? error)
    {
        error = null;
        var uses = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match m in Braces().Matches(template))
        {
            var name = m.Groups[1].Value;
            if (!Placeholders.Contains(name))
            {
                error = $"'{{{name}}}' is not a placeholder of an ingest topic (use {string.Join(", ", Placeholders.Select(p => "{" + p + "}"))})";
                return null;
            }

            uses.Add(name);
        }

        var literal = Braces().Replace(template, "x");
        if (literal.Contains('{') || literal.Contains('}') || literal.Contains('+') || literal.Contains('#') || literal.Length == 0 || literal.StartsWith('/'))
        {
            error = $"'{template}' must be a plain MQTT topic with {{placeholders}}: no '+', '#', stray braces or leading '/'";
            return null;
        }

        return new UplinkTopic(template, uses);
    }

    /// <summary>The uplink's topic, or null with <paramref name="error"/> naming the body value that is missing or unusable.</summary>
    public string? Render(Func<string, (string? Value, string Path)> value, out string? error)
    {
        error = null;
        var topic = new StringBuilder(_template);
        foreach (var name in Uses)
        {
            var (text, path) = value(name);
            if (string.IsNullOrEmpty(text))
            {
                error = $"{path} is missing or empty (the topic template needs it for {{{name}}})";
                return null;
            }

            if (text.AsSpan().IndexOfAny("/+#") >= 0 || text.Any(char.IsControl))
            {
                error = $"{path} '{text}' cannot be part of a topic (it holds '/', '+', '#' or a control character)";
                return null;
            }

            topic.Replace("{" + name + "}", text);
        }

        return topic.ToString();
    }

    public override string ToString() => _template;

    [GeneratedRegex(@"\{([^{}]*)\}")]
    private static partial Regex Braces();
}
