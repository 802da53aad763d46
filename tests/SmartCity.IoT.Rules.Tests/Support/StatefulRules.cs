namespace SmartCity.IoT.Rules.Tests.Support;

/// <summary>
/// Rules whose state a checkpoint must carry, one of each kind: a latched threshold with a clear condition, a pending
/// <c>for</c>, and a window average; <see cref="WithStaleness"/> adds a per-device staleness deadline.
/// </summary>
internal static class StatefulRules
{
    public const string Yaml = """
        rules:
          - name: co2_high
            expr: co2 > 1000
            clear: co2 < 900
          - name: hot
            expr: temperature > 30
            for: 10m
          - name: pm_avg
            expr: avg(pm2_5, 15m) > 35
        """;

    public const string WithStaleness = Yaml + "\n" + """
          - name: offline
            kind: staleness
            after: 30m
        """;
}
