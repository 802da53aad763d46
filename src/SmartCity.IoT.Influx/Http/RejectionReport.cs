using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace SmartCity.IoT.Influx.Http;

/// <summary>
/// What a 400/422 answer says about a batch, read from the body of InfluxDB 1.x, 2.x, 3.x or VictoriaMetrics:
/// whether the good lines were kept (<c>partial write</c>), which lines were refused and why
/// (1.x <c>unable to parse '&lt;line&gt;': &lt;reason&gt;</c>, 2.x <c>line N: &lt;reason&gt;</c>, 3.x <c>data[].original_line</c>),
/// and the server's dropped count (<c>dropped=N</c>, <c>dropped N points</c>) for refusals it does not name a line for
/// (field type conflicts, points outside the retention policy).
/// </summary>
internal sealed partial class RejectionReport
{
    private RejectionReport(string message, bool partial, long? dropped, Dictionary<int, string> rejected)
    {
        Message = message;
        Partial = partial;
        Dropped = dropped;
        Rejected = rejected;
    }

    /// <summary>The server's error text (JSON unwrapped).</summary>
    public string Message { get; }

    /// <summary>The server kept the lines it did not name (1.x 400 "partial write", 2.x/3.x 422 or "partial write").</summary>
    public bool Partial { get; }

    /// <summary>The server's own count of dropped points, when it gives one.</summary>
    public long? Dropped { get; }

    /// <summary>Index of each refused line in the batch, with the server's reason.</summary>
    public IReadOnlyDictionary<int, string> Rejected { get; }

    /// <summary>The refusal is about the data (parse errors, conflicts), not about the request or configuration.</summary>
    public bool IsAboutLines =>
        Rejected.Count > 0 || Partial
        || Message.Contains("parse", StringComparison.OrdinalIgnoreCase)
        || Message.Contains("conflict", StringComparison.OrdinalIgnoreCase)
        || Message.Contains("line protocol", StringComparison.OrdinalIgnoreCase);

    public static RejectionReport Parse(int status, string body, IReadOnlyList<string> lines)
    {
        var (message, data) = Unwrap(body);
        var partial = status == 422 || message.Contains("partial write", StringComparison.OrdinalIgnoreCase);
        long? dropped = null;
        var droppedMatch = DroppedPattern().Match(message);
        if (droppedMatch.Success)
        {
            dropped = long.Parse(droppedMatch.Groups[1].Success ? droppedMatch.Groups[1].Value : droppedMatch.Groups[2].Value, CultureInfo.InvariantCulture);
        }

        var rejected = new Dictionary<int, string>();
        Dictionary<string, List<int>>? byText = null;
        Dictionary<string, List<int>> ByText()
        {
            if (byText is null)
            {
                byText = new Dictionary<string, List<int>>(StringComparer.Ordinal);
                for (var i = 0; i < lines.Count; i++)
                {
                    if (!byText.TryGetValue(lines[i], out var list))
                    {
                        byText[lines[i]] = list = [];
                    }

                    list.Add(i);
                }
            }

            return byText;
        }

        foreach (var (line, number, reason) in data)
        {
            if (line is not null && ByText().TryGetValue(line, out var indexes))
            {
                indexes.ForEach(i => rejected[i] = reason);
            }
            else if (number is >= 1 && number <= lines.Count)
            {
                rejected[number.Value - 1] = reason;
            }
        }

        foreach (var segment in message.Split('\n'))
        {
            const string Marker = "unable to parse '";
            var at = segment.IndexOf(Marker, StringComparison.Ordinal);
            if (at >= 0)
            {
                // The line itself may contain "': ", so try each split and keep the one that names a line of the batch.
                var rest = segment[(at + Marker.Length)..];
                for (var split = rest.IndexOf("': ", StringComparison.Ordinal); split >= 0; split = rest.IndexOf("': ", split + 1, StringComparison.Ordinal))
                {
                    if (ByText().TryGetValue(rest[..split], out var indexes))
                    {
                        var reason = DroppedSuffix().Replace(rest[(split + 3)..], "").Trim();
                        indexes.ForEach(i => rejected[i] = reason);
                        break;
                    }
                }

                continue;
            }

            var numbered = NumberedLine().Match(segment);
            if (numbered.Success && int.TryParse(numbered.Groups[1].Value, CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= lines.Count)
            {
                rejected[n - 1] = numbered.Groups[2].Value.Trim();
            }
        }

        return new RejectionReport(message, partial, dropped, rejected);
    }

    private static (string Message, List<(string? Line, int? Number, string Reason)> Data) Unwrap(string body)
    {
        var data = new List<(string?, int?, string)>();
        var trimmed = body.TrimStart();
        if (!trimmed.StartsWith('{'))
        {
            return (body.Trim(), data);
        }

        try
        {
            using var doc = JsonDocument.Parse(trimmed);
            var root = doc.RootElement;
            var message = (root.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null)
                ?? (root.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null)
                ?? body.Trim();
            if (root.TryGetProperty("data", out var items) && items.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in items.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.Object)
                    {
                        continue;
                    }

                    var line = item.TryGetProperty("original_line", out var l) && l.ValueKind == JsonValueKind.String ? l.GetString() : null;
                    int? number = item.TryGetProperty("line_number", out var n) && n.TryGetInt32(out var v) ? v : null;
                    var reason = item.TryGetProperty("error_message", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() ?? message : message;
                    data.Add((line, number, reason));
                }
            }

            return (message, data);
        }
        catch (JsonException)
        {
            return (body.Trim(), data);
        }
    }

    [GeneratedRegex(@"dropped=(\d+)|dropped (\d+) points", RegexOptions.CultureInvariant)]
    private static partial Regex DroppedPattern();

    [GeneratedRegex(@"\s*dropped=\d+\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex DroppedSuffix();

    [GeneratedRegex(@"^\s*(?:error parsing )?line (\d+)(?: \(1-based\))?:\s*(.*)$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex NumberedLine();
}
