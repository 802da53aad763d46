namespace SmartCity.IoT.Core.Places;

/// <summary>
/// A place's occupied hours: per day of the week, the local-time spans it is in use, in its own time zone
/// (<c>Asia/Hong_Kong</c>). Checking an instant allocates nothing.
/// </summary>
public sealed class PlaceHours
{
    private readonly (TimeOnly Start, TimeOnly End)[][] _spans;

    /// <param name="timeZone">The place's time zone.</param>
    /// <param name="spans">For each <see cref="DayOfWeek"/> (index 0 = Sunday), its spans [start, end) in local time.</param>
    public PlaceHours(TimeZoneInfo timeZone, (TimeOnly Start, TimeOnly End)[][] spans)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(spans.Length, 7, nameof(spans));
        TimeZone = timeZone;
        _spans = spans;
    }

    public TimeZoneInfo TimeZone { get; }

    /// <summary>The spans of one day of the week, local time.</summary>
    public IReadOnlyList<(TimeOnly Start, TimeOnly End)> On(DayOfWeek day) => _spans[(int)day];

    /// <summary>Whether the place is occupied at <paramref name="unixNs"/>.</summary>
    public bool Contains(long unixNs)
    {
        var utc = DateTime.UnixEpoch.AddTicks(unixNs / 100);
        var local = TimeZoneInfo.ConvertTimeFromUtc(utc, TimeZone);
        var time = TimeOnly.FromDateTime(local);
        foreach (var (start, end) in _spans[(int)local.DayOfWeek])
        {
            if (time >= start && time < end)
            {
                return true;
            }
        }

        return false;
    }
}
