using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Core.Model;
using SmartCity.IoT.Rules.Engine;
using SmartCity.IoT.Rules.Loading;
using SmartCity.IoT.Rules.Tests.Support;

namespace SmartCity.IoT.Rules.Tests;

/// <summary>The hot path allocates nothing in steady state (the benchmark measures speed; this guards the zero).</summary>
public sealed class AllocationTests
{
    [Fact]
    public void Evaluate_and_tick_allocate_nothing_in_steady_state()
    {
        var vocabulary = TestVocabulary.Create();
        var rules = RuleLoader.LoadText("""
            rules:
              - name: co2
                expr: co2 > 1000
                clear: co2 < 900
                for: 1m
                escalate: [ { severity: critical, expr: co2 > 2500 } ]
              - name: pm
                expr: avg(pm2_5, 15m) > 35 or max(pm10, 5m) > 300
              - name: rate
                expr: rate(co2, 5m) > 50 and delta(temperature, 10m) > 3
              - name: doors
                expr: count(door_open, 10m) >= 100
              - name: dew
                expr: temperature - dew_point < 2 and not (humidity < 20) and tags.building != "Lab"
              - name: silent
                expr: absent(tvoc, 1h)
              - name: offline
                kind: staleness
                after: 15m
              - name: hot_always
                expr: temperature > 0
            """, "alloc.yaml", vocabulary);
        var run = new SteadyStateEngine(rules, vocabulary);
        var ids = run.FieldIds("co2", "pm2_5", "pm10", "temperature", "humidity", "dew_point", "tvoc", "door_open");
        var building = "HQ1".AsMemory();
        Action<Reading, int, int> fill = (reading, d, _) =>
        {
            reading.AddTag("building", building);
            for (var f = 0; f < ids.Length; f++)
            {
                reading.Set(ids[f], 10 + f + (d % 7));
            }
        };

        // Warm-up: devices bound, windows grown; `hot_always` fired for every device and `dew` for the 28 devices
        // whose humidity is 20 (d % 7 == 6). Firing alerts that stay firing must not allocate either.
        run.Run(100, fill);
        var alerts = run.Publisher.Alerts.Count;
        Assert.Equal(run.Devices.Length + 28, alerts);
        Assert.Equal(0, run.AllocatedBy(50, fill));
        Assert.Equal(alerts, run.Publisher.Alerts.Count);
    }
}
