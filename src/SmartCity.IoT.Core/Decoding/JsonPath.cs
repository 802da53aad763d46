namespace SmartCity.IoT.Core.Decoding;

/// <summary>
/// The subset of JSONPath profiles use: <c>$</c>, <c>.name</c>, <c>['name with . or :']</c>, <c>[0]</c>, <c>.*</c> or
/// <c>[*]</c> (any property, and every element of an array: Tasmota puts the sensor name in the key) and filters on
/// array elements <c>[?(@.n=='co2')]</c> (see <see cref="JsonFilter"/>). <c>$</c> alone is the whole payload.
/// </summary>
public sealed class JsonPath
{
    private JsonPath(string text, JsonPathStep[] steps)
    {
        Text = text;
        Steps = steps;
    }

    public string Text { get; }

    public IReadOnlyList<JsonPathStep> Steps { get; }

    /// <summary>The path up to and including its first wildcard or filter step, or null: where several values may be found.</summary>
    public bool HasWildcardOrFilter => Steps.Any(s => s.IsWildcard || s.IsFilter);

    /// <summary>The path without its last step (<c>$.pm.unit</c> → <c>$.pm</c>); the steps only (texts are not rebuilt).</summary>
    public IReadOnlyList<JsonPathStep> Parent => Steps.Take(Math.Max(0, Steps.Count - 1)).ToArray();

    public static bool TryParse(string text, out JsonPath? path, out string error)
    {
        path = null;
        if (string.IsNullOrEmpty(text) || text[0] != '$')
        {
            error = $"JSON path '{text}' must start with '$' (for example $.temperature or $.sensors[0].value)";
            return false;
        }

        var steps = new List<JsonPathStep>();
        var i = 1;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '.')
            {
                var start = ++i;
                while (i < text.Length && text[i] != '.' && text[i] != '[')
                {
                    i++;
                }

                if (i == start)
                {
                    error = $"JSON path '{text}' has an empty name at position {start + 1}";
                    return false;
                }

                steps.Add(new JsonPathStep(text[start..i], -1));
            }
            else if (c == '[' && i + 1 < text.Length && text[i + 1] == '?')
            {
                var end = text.IndexOf(")]", i, StringComparison.Ordinal);
                if (end < 0)
                {
                    error = $"JSON path '{text}' has a filter at position {i + 1} without a closing ')]' (write [?(@.n=='co2')])";
                    return false;
                }

                if (!JsonFilter.TryParse(text[(i + 1)..(end + 1)], out var filter, out var filterError))
                {
                    error = $"JSON path '{text}': {filterError}";
                    return false;
                }

                steps.Add(new JsonPathStep(null, -1, filter));
                i = end + 2;
            }
            else if (c == '[')
            {
                var close = text.IndexOf(']', i);
                if (close < 0)
                {
                    error = $"JSON path '{text}' has '[' at position {i + 1} without a closing ']'";
                    return false;
                }

                var inner = text[(i + 1)..close];
                if (inner.Length >= 2 && (inner[0] == '\'' || inner[0] == '"') && inner[^1] == inner[0])
                {
                    steps.Add(new JsonPathStep(inner[1..^1], -1));
                }
                else if (inner == "*")
                {
                    steps.Add(new JsonPathStep("*", -1));
                }
                else if (int.TryParse(inner, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index))
                {
                    steps.Add(new JsonPathStep(null, index));
                }
                else
                {
                    error = $"JSON path '{text}': '[{inner}]' must be an array index like [0], [*], a quoted name like ['pm2.5'] or a filter like [?(@.n=='co2')]";
                    return false;
                }

                i = close + 1;
            }
            else
            {
                error = $"JSON path '{text}': unexpected '{c}' at position {i + 1}; use .name, ['name'] or [index]";
                return false;
            }
        }

        path = new JsonPath(text, steps.ToArray());
        error = "";
        return true;
    }

    public static JsonPath Parse(string text) => TryParse(text, out var p, out var e) ? p! : throw new FormatException(e);

    public override string ToString() => Text;
}
