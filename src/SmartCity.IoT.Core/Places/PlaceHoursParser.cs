using System.Globalization;

namespace SmartCity.IoT.Core.Places;

/// <summary>
/// Reads occupied hours as a facility manager writes them: day keys (<c>mon</c>..<c>sun</c>, a range <c>mon-fri</c>,
/// <c>daily</c>) with comma-separated spans <c>08:00-18:00</c> (an end of <c>24:00</c> is midnight; an end before the
/// start runs past midnight into the next day) or <c>closed</c>.
/// </summary>
public static class PlaceHoursParser
{
    private static readonly string[] DayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

    /// <summary>Every day key a facility manager may write.</summary>
    public static IReadOnlyList<string> DayKeys { get; } = ["mon", "tue", "wed", "thu", "fri", "sat", "sun", "daily", "mon-fri", "sat-sun"];

    /// <summary>The days (DayOfWeek numbers) of a key, or null with <paramref name="error"/> set.</summary>
    public static int[]? Days(string key, out string? error)
    {
        ArgumentNullException.ThrowIfNull(key);
        error = null;
        var k = key.Trim().ToLowerInvariant();
        if (k is "daily" or "every day")
        {
            return [0, 1, 2, 3, 4, 5, 6];
        }

        var dash = k.IndexOf('-', StringComparison.Ordinal);
        var first = Array.IndexOf(DayNames, dash < 0 ? k : k[..dash]);
        var last = dash < 0 ? first : Array.IndexOf(DayNames, k[(dash + 1)..]);
        if (first < 0 || last < 0)
        {
            error = $"'{key}' is not a day: write mon, tue, wed, thu, fri, sat, sun, a range such as mon-fri, or daily{DayHint(key)}";
            return null;
        }

        var days = new List<int>();
        for (var d = first; ; d = (d + 1) % 7)
        {
            days.Add(d);
            if (d == last)
            {
                break;
            }
        }

        return [.. days];
    }

    /// <summary>
    /// Adds the spans of <paramref name="text"/> (<c>08:00-12:00, 13:00-18:00</c> or <c>closed</c>) on each of
    /// <paramref name="days"/> to <paramref name="spans"/>; false with <paramref name="error"/> set on a bad span.
    /// </summary>
    public static bool AddSpans(string text, int[] days, List<(TimeOnly Start, TimeOnly End)>[] spans, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(days);
        ArgumentNullException.ThrowIfNull(spans);
        error = null;
        if (text.Trim().Equals("closed", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var dash = part.IndexOf('-', StringComparison.Ordinal);
            if (dash < 0 || !TryTime(part[..dash].Trim(), out var start, out _) || !TryTime(part[(dash + 1)..].Trim(), out var end, out var endIsMidnight))
            {
                error = $"'{part}' is not a span of hours: write start-end in 24-hour time, such as 08:00-18:00 (or 'closed')";
                return false;
            }

            if (start == end && !endIsMidnight)
            {
                error = $"'{part}' is empty: its start and end are the same time";
                return false;
            }

            foreach (var day in days)
            {
                if (endIsMidnight || end > start)
                {
                    spans[day].Add((start, endIsMidnight ? TimeOnly.MaxValue : end));
                }
                else
                {
                    // Past midnight: the rest of this day, then the start of the next.
                    spans[day].Add((start, TimeOnly.MaxValue));
                    spans[(day + 1) % 7].Add((TimeOnly.MinValue, end));
                }
            }
        }

        return true;
    }

    /// <summary>A time zone by IANA id (<c>Asia/Hong_Kong</c>), or null with an error that suggests the closest id.</summary>
    public static TimeZoneInfo? TimeZone(string id, out string? error)
    {
        ArgumentNullException.ThrowIfNull(id);
        error = null;
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            var hint = Loading.DidYouMean.Hint(id, TimeZoneInfo.GetSystemTimeZones().Select(z => z.Id));
            error = $"unknown time zone '{id}'{hint}: use an IANA name such as Asia/Hong_Kong or Europe/London";
            return null;
        }
    }

    private static bool TryTime(string text, out TimeOnly time, out bool midnightEnd)
    {
        midnightEnd = text is "24:00" or "24:00:00";
        if (midnightEnd)
        {
            time = TimeOnly.MinValue;
            return true;
        }

        return TimeOnly.TryParseExact(text, ["H:mm", "HH:mm", "HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out time);
    }

    private static string DayHint(string key) => Loading.DidYouMean.Hint(key, DayKeys);
}
