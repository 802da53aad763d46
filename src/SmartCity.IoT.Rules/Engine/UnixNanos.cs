namespace SmartCity.IoT.Rules.Engine;

/// <summary>The engine's clock unit: Unix time in nanoseconds (receive-time semantics, from the injected clock).</summary>
internal static class UnixNanos
{
    public static long Now(TimeProvider time) => FromTime(time.GetUtcNow());

    public static long FromTime(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;

    public static DateTimeOffset ToTime(long ns) => DateTimeOffset.UnixEpoch.AddTicks(ns / 100);
}
