using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SmartCity.IoT.Core.Decoding;

/// <summary>
/// A JSONPath filter on array elements, <c>?(@.name == literal)</c> or <c>!=</c>: the element is an object whose
/// property (one name, or a dotted path of names) equals a string, number, <c>true</c>, <c>false</c> or <c>null</c>.
/// Evaluated on a copy of the reader, so the element is then walked from its start; nothing is allocated.
/// </summary>
public sealed class JsonFilter
{
    private readonly byte[][] _names;
    private readonly byte[]? _text;
    private readonly double _number;
    private readonly JsonTokenType _kind;

    private JsonFilter(string text, string[] names, bool negate, JsonTokenType kind, string? textValue, double number)
    {
        Text = text;
        _names = names.Select(Encoding.UTF8.GetBytes).ToArray();
        Negate = negate;
        _kind = kind;
        _text = textValue is null ? null : Encoding.UTF8.GetBytes(textValue);
        _number = number;
    }

    /// <summary>As written, for example <c>?(@.n=='co2')</c>.</summary>
    public string Text { get; }

    public bool Negate { get; }

    /// <summary>Parses the inside of <c>[...]</c> (starting with <c>?</c>); false with a message naming what to write.</summary>
    public static bool TryParse(string inner, out JsonFilter? filter, out string error)
    {
        filter = null;
        const string Example = "[?(@.n=='co2')] (== or != against a 'string', a number, true, false or null)";
        var body = inner.AsSpan(1).Trim();
        if (body.Length < 2 || body[0] != '(' || body[^1] != ')')
        {
            error = $"filter '[{inner}]' must look like {Example}";
            return false;
        }

        body = body[1..^1].Trim();
        var op = body.IndexOf("==");
        var negate = false;
        if (op < 0)
        {
            op = body.IndexOf("!=");
            negate = op >= 0;
        }

        if (op < 0 || body.Length < 2 || body[0] != '@')
        {
            error = $"filter '[{inner}]' must look like {Example}";
            return false;
        }

        var left = body[1..op].Trim().ToString();
        var right = body[(op + 2)..].Trim().ToString();
        var names = new List<string>();
        if (!JsonPath.TryParse("$" + left, out var relative, out _) || relative!.Steps.Count == 0 || relative.Steps.Any(s => s.Name is null || s.IsWildcard))
        {
            error = $"filter '[{inner}]': '@{left}' must name a property of the element, like @.n or @['n']";
            return false;
        }

        names.AddRange(relative.Steps.Select(s => s.Name!));
        JsonTokenType kind;
        string? text = null;
        double number = 0;
        if (right.Length >= 2 && (right[0] == '\'' || right[0] == '"') && right[^1] == right[0])
        {
            kind = JsonTokenType.String;
            text = right[1..^1];
        }
        else if (right is "true" or "false")
        {
            kind = right == "true" ? JsonTokenType.True : JsonTokenType.False;
        }
        else if (right == "null")
        {
            kind = JsonTokenType.Null;
        }
        else if (double.TryParse(right, NumberStyles.Float, CultureInfo.InvariantCulture, out number))
        {
            kind = JsonTokenType.Number;
        }
        else
        {
            error = $"filter '[{inner}]': '{right}' must be a quoted string, a number, true, false or null";
            return false;
        }

        filter = new JsonFilter(inner, [.. names], negate, kind, text, number);
        error = "";
        return true;
    }

    /// <summary>Whether the element under <paramref name="reader"/> (its first token) passes; the caller's reader does not move.</summary>
    public bool Accepts(Utf8JsonReader reader)
    {
        var found = Find(ref reader, 0);
        return found != Negate;
    }

    private bool Find(ref Utf8JsonReader reader, int depth)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var match = reader.ValueTextEquals(_names[depth]);
            reader.Read();
            if (!match)
            {
                reader.Skip();
                continue;
            }

            return depth + 1 < _names.Length ? Find(ref reader, depth + 1) : Equal(ref reader);
        }

        return false;
    }

    private bool Equal(ref Utf8JsonReader reader) => _kind switch
    {
        JsonTokenType.String => reader.TokenType == JsonTokenType.String && reader.ValueTextEquals(_text),
        JsonTokenType.Number => reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var d) && d == _number,
        _ => reader.TokenType == _kind,
    };

    public override string ToString() => Text;
}
