using System.Globalization;
using System.Text;

namespace SmartCity.IoT.Devices.Samples;

/// <summary>
/// One parsed line of line protocol, for comparing a sample's expected reading with the encoder's output semantically:
/// same measurement, same tag set, same fields with equal values, same timestamp; order does not matter.
/// </summary>
internal sealed class LineProtocolPoint
{
    private LineProtocolPoint(string measurement, SortedDictionary<string, string> tags, SortedDictionary<string, string> fields, long? timestamp)
    {
        Measurement = measurement;
        Tags = tags;
        Fields = fields;
        Timestamp = timestamp;
    }

    public string Measurement { get; }

    public IReadOnlyDictionary<string, string> Tags { get; }

    /// <summary>Field values normalized: <c>812i</c>, <c>23.4</c> (round-trip double), <c>true</c>, or the quoted string.</summary>
    public IReadOnlyDictionary<string, string> Fields { get; }

    public long? Timestamp { get; }

    public static LineProtocolPoint Parse(string line)
    {
        line = line.Trim();
        var i = 0;
        var measurement = ReadToken(line, ref i, [',', ' ']);
        var tags = new SortedDictionary<string, string>(StringComparer.Ordinal);
        while (i < line.Length && line[i] == ',')
        {
            i++;
            var key = ReadToken(line, ref i, ['=']);
            Expect(line, ref i, '=');
            tags[key] = ReadToken(line, ref i, [',', ' ']);
        }

        Expect(line, ref i, ' ');
        var fields = new SortedDictionary<string, string>(StringComparer.Ordinal);
        do
        {
            if (i < line.Length && line[i] == ',')
            {
                i++;
            }

            var key = ReadToken(line, ref i, ['=']);
            Expect(line, ref i, '=');
            fields[key] = ReadFieldValue(line, ref i);
        }
        while (i < line.Length && line[i] == ',');

        long? ts = null;
        if (i < line.Length)
        {
            Expect(line, ref i, ' ');
            var text = line[i..].Trim();
            ts = long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var t) ? t : throw new FormatException($"timestamp '{text}' is not an integer of nanoseconds");
        }

        if (measurement.Length == 0 || fields.Count == 0)
        {
            throw new FormatException("a line needs a measurement and at least one field");
        }

        return new LineProtocolPoint(measurement, tags, fields, ts);
    }

    /// <summary>Differences from <paramref name="actual"/> as readable clauses; empty when equal.</summary>
    public List<string> DiffersFrom(LineProtocolPoint actual)
    {
        var diffs = new List<string>();
        if (Measurement != actual.Measurement)
        {
            diffs.Add($"measurement: expected {Measurement}, got {actual.Measurement}");
        }

        Compare("tag", Tags, actual.Tags, diffs);
        Compare("field", Fields, actual.Fields, diffs);
        if (Timestamp != actual.Timestamp)
        {
            diffs.Add($"timestamp: expected {Timestamp?.ToString(CultureInfo.InvariantCulture) ?? "(none)"}, got {actual.Timestamp?.ToString(CultureInfo.InvariantCulture) ?? "(none)"}");
        }

        return diffs;
    }

    private static void Compare(string what, IReadOnlyDictionary<string, string> expected, IReadOnlyDictionary<string, string> actual, List<string> diffs)
    {
        foreach (var (k, v) in expected)
        {
            if (!actual.TryGetValue(k, out var a))
            {
                diffs.Add($"{what} {k}: expected {v}, missing");
            }
            else if (a != v)
            {
                diffs.Add($"{what} {k}: expected {v}, got {a}");
            }
        }

        foreach (var (k, v) in actual)
        {
            if (!expected.ContainsKey(k))
            {
                diffs.Add($"{what} {k}: not expected, got {v}");
            }
        }
    }

    private static void Expect(string line, ref int i, char c)
    {
        if (i >= line.Length || line[i] != c)
        {
            throw new FormatException($"expected '{c}' at position {i + 1} of '{line}'");
        }

        i++;
    }

    private static string ReadToken(string line, ref int i, char[] stops)
    {
        var sb = new StringBuilder();
        while (i < line.Length && Array.IndexOf(stops, line[i]) < 0)
        {
            if (line[i] == '\\' && i + 1 < line.Length && (line[i + 1] is ',' or ' ' or '='))
            {
                i++;
            }

            sb.Append(line[i++]);
        }

        return sb.ToString();
    }

    private static string ReadFieldValue(string line, ref int i)
    {
        if (i < line.Length && line[i] == '"')
        {
            var sb = new StringBuilder("\"");
            i++;
            while (i < line.Length && line[i] != '"')
            {
                if (line[i] == '\\' && i + 1 < line.Length)
                {
                    i++;
                }

                sb.Append(line[i++]);
            }

            Expect(line, ref i, '"');
            return sb.Append('"').ToString();
        }

        var raw = ReadToken(line, ref i, [',', ' ']);
        if (raw.EndsWith('i') && long.TryParse(raw.AsSpan(0, raw.Length - 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
        {
            return l.ToString(CultureInfo.InvariantCulture) + "i";
        }

        switch (raw)
        {
            case "t" or "T" or "true" or "True" or "TRUE":
                return "true";
            case "f" or "F" or "false" or "False" or "FALSE":
                return "false";
        }

        return double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
            ? d.ToString("R", CultureInfo.InvariantCulture)
            : throw new FormatException($"field value '{raw}' is not a number, integer (812i), boolean or quoted string");
    }
}
