using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SmartCity.IoT.Benchmarks.Naive;

/// <summary>The baseline's decode and encode: JsonDocument, string splitting, StringBuilder line protocol.</summary>
internal static class NaiveDecoder
{
    private static readonly (string Field, string[] Path, double Scale)[] Map =
    [
        ("temperature", ["climate", "t"], 1),
        ("humidity", ["climate", "rh"], 1),
        ("co2", ["air", "co2"], 1),
        ("tvoc", ["air", "tvoc"], 1000),
        ("pm2_5", ["air", "pm", "pm2_5"], 1),
        ("pm10", ["air", "pm", "pm10"], 1),
        ("battery", ["battery"], 1),
    ];

    public static (Dictionary<string, string> Tags, Dictionary<string, double> Fields, long TimestampNs) Decode(string topic, byte[] payload)
    {
        var parts = topic.Split('/');
        var tags = new Dictionary<string, string> { ["building"] = parts[1], ["floor"] = parts[3], ["device"] = parts[5], ["model"] = "harbourtech/ies-300" };
        using var doc = JsonDocument.Parse(payload);
        var fields = new Dictionary<string, double>();
        foreach (var (field, path, scale) in Map)
        {
            var element = doc.RootElement;
            var found = true;
            foreach (var step in path)
            {
                if (!element.TryGetProperty(step, out element))
                {
                    found = false;
                    break;
                }
            }

            if (found && element.ValueKind == JsonValueKind.Number)
            {
                fields[field] = Math.Round(element.GetDouble() * scale, 2);
            }
        }

        var ts = doc.RootElement.GetProperty("ts").GetInt64() * 1_000_000;
        return (tags, fields, ts);
    }

    public static string LineProtocol(string measurement, Dictionary<string, string> tags, Dictionary<string, double> fields, long ts)
    {
        var sb = new StringBuilder(measurement);
        foreach (var (k, v) in tags.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            sb.Append(',').Append(k).Append('=').Append(v.Replace(" ", "\\ ", StringComparison.Ordinal).Replace(",", "\\,", StringComparison.Ordinal));
        }

        sb.Append(' ').Append(string.Join(",", fields.Select(f => $"{f.Key}={f.Value.ToString("R", CultureInfo.InvariantCulture)}")));
        sb.Append(' ').Append(ts.ToString(CultureInfo.InvariantCulture)).Append('\n');
        return sb.ToString();
    }
}
