using System.Globalization;

namespace SmartCity.IoT.Rules.Language;

/// <summary>Parses durations such as <c>30s</c>, <c>5m</c>, <c>1h30m</c>, <c>500ms</c>, <c>1d</c> (no spaces, at least one unit).</summary>
internal static class DurationParser
{
    public const string Help = "use a number followed by a unit: ms, s, m, h, d (e.g. 30s, 5m, 1h30m)";

    public static bool TryParse(ReadOnlySpan<char> text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        text = text.Trim();
        if (text.IsEmpty)
        {
            return false;
        }

        if (text is "0")
        {
            return true;
        }

        double totalMs = 0;
        var i = 0;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
            {
                i++;
            }

            if (i == start || !double.TryParse(text[start..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            var unitStart = i;
            while (i < text.Length && char.IsAsciiLetter(text[i]))
            {
                i++;
            }

            double unitMs = text[unitStart..i] switch
            {
                "ms" => 1,
                "s" => 1000,
                "m" => 60_000,
                "h" => 3_600_000,
                "d" => 86_400_000,
                _ => -1,
            };
            if (unitMs < 0)
            {
                return false;
            }

            totalMs += number * unitMs;
        }

        if (totalMs > TimeSpan.MaxValue.TotalMilliseconds / 2)
        {
            return false;
        }

        duration = TimeSpan.FromMilliseconds(totalMs);
        return true;
    }

    /// <summary>Formats a duration the way rules write it (<c>1h30m</c>).</summary>
    public static string Format(TimeSpan d)
    {
        if (d == TimeSpan.Zero)
        {
            return "0s";
        }

        var parts = new System.Text.StringBuilder();
        if (d.Days > 0) parts.Append(CultureInfo.InvariantCulture, $"{d.Days}d");
        if (d.Hours > 0) parts.Append(CultureInfo.InvariantCulture, $"{d.Hours}h");
        if (d.Minutes > 0) parts.Append(CultureInfo.InvariantCulture, $"{d.Minutes}m");
        if (d.Seconds > 0) parts.Append(CultureInfo.InvariantCulture, $"{d.Seconds}s");
        if (d.Milliseconds > 0) parts.Append(CultureInfo.InvariantCulture, $"{d.Milliseconds}ms");
        return parts.ToString();
    }
}
