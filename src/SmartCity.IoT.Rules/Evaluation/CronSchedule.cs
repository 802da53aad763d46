using Cronos;

namespace SmartCity.IoT.Rules.Evaluation;

/// <summary>
/// A cron window (<c>during: "* 8-17 * * MON-FRI"</c>): in force during every minute the expression matches, in its time
/// zone. The answer is cached until the next minute the answer can change, so a reading costs one comparison.
/// </summary>
internal sealed class CronSchedule(string text, CronExpression expression, TimeZoneInfo zone, bool outside) : RuleSchedule(outside)
{
    private const long MinuteNs = 60_000_000_000;

    // Bound on the scan for the end of a window (a week of minutes), so an expression matching every minute stays cheap.
    private const int MaxScanMinutes = 7 * 24 * 60;

    private long _fromNs = long.MaxValue;
    private long _untilNs = long.MinValue;
    private double _inWindow;

    public override string Text => text;

    public TimeZoneInfo Zone => zone;

    protected override double InWindow(PlaceBinding? place, long nowNs)
    {
        if (nowNs < _fromNs || nowNs >= _untilNs)
        {
            Recompute(nowNs);
        }

        return _inWindow;
    }

    private void Recompute(long nowNs)
    {
        var minute = nowNs - (((nowNs % MinuteNs) + MinuteNs) % MinuteNs);
        _fromNs = minute;
        if (Matches(minute))
        {
            _inWindow = 1;
            var end = minute + MinuteNs;
            for (var i = 0; i < MaxScanMinutes && Matches(end); i++)
            {
                end += MinuteNs;
            }

            _untilNs = end;
        }
        else
        {
            _inWindow = 0;
            var next = expression.GetNextOccurrence(ToUtc(minute), zone, inclusive: false);
            _untilNs = next is { } n ? FromUtc(n) : long.MaxValue;
        }
    }

    private bool Matches(long minuteNs)
    {
        var at = ToUtc(minuteNs);
        return expression.GetNextOccurrence(at, zone, inclusive: true) == at;
    }

    private static DateTime ToUtc(long ns) => DateTime.SpecifyKind(DateTime.UnixEpoch.AddTicks(ns / 100), DateTimeKind.Utc);

    private static long FromUtc(DateTime utc) => (utc.Ticks - DateTime.UnixEpoch.Ticks) * 100;
}
