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
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));
        var registry = new DeviceRegistry(vocabulary.Count);
        var publisher = new RecordingPublisher();
        var engine = new RuleEngine(rules, vocabulary, registry, publisher, time);
        var profile = new DeviceProfile("acme/ems-200", "acme", "ems-200", "environment") { Index = 0 };
        var ids = new[] { "co2", "pm2_5", "pm10", "temperature", "humidity", "dew_point", "tvoc", "door_open" }.Select(n => { vocabulary.TryGet(n, out var f); return f.Id; }).ToArray();
        var devices = Enumerable.Range(0, 200).Select(i => $"ems-{i:D4}").ToArray();
        var building = "HQ1".AsMemory();
        var reading = new Reading(vocabulary.Count);

        void Run(int rounds)
        {
            for (var r = 0; r < rounds; r++)
            {
                for (var d = 0; d < devices.Length; d++)
                {
                    time.Now = time.Now.AddMilliseconds(50);
                    reading.Reset();
                    reading.Profile = profile;
                    reading.DeviceId = devices[d].AsMemory();
                    reading.AddTag("building", building);
                    reading.TimestampNs = 1;
                    for (var f = 0; f < ids.Length; f++)
                    {
                        reading.Set(ids[f], 10 + f + (d % 7));
                    }

                    registry.Observe(reading);
                    engine.Evaluate(reading);
                }

                engine.Tick();
            }
        }

        // Warm-up: devices bound, windows grown; `hot_always` fired for every device and `dew` for the 28 devices
        // whose humidity is 20 (d % 7 == 6). Firing alerts that stay firing must not allocate either.
        Run(100);
        var alerts = publisher.Alerts.Count;
        Assert.Equal(devices.Length + 28, alerts);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Run(50);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Equal(alerts, publisher.Alerts.Count);
    }
}
