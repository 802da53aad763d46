using Microsoft.Extensions.Time.Testing;
using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Devices.Simulation;
using SmartCity.IoT.Rules.Engine;
using SmartCity.IoT.Rules.Tests.Support;

namespace SmartCity.IoT.Rules.Tests;

/// <summary>
/// The demo tells the truth: the simulator at the demo's defaults (every profile, 3 devices each, 20 readings/s, 2 %
/// anomalies), decoded by the shipped catalog and judged by the shipped rules with the default flapping policy, makes
/// alerts that fire and resolve within minutes, and none that is held as flapping.
/// </summary>
public sealed class DemoSimulatorTruthTests
{
    private const int ReadingsPerSecond = 20;

    // The longest episode (8 min) plus the longest averaging window a shipped rule clears on (avg(pm2_5, 15m)), and a margin.
    private static readonly TimeSpan LongestAlert = TimeSpan.FromMinutes(25);

    [Fact]
    public void An_hour_of_the_demo_fires_alerts_that_resolve_and_never_flap()
    {
        var catalog = ShippedCatalog.Catalog;
        var start = new DateTimeOffset(2026, 11, 23, 1, 0, 0, TimeSpan.Zero);
        var time = new FakeTimeProvider(start);
        var simulator = new DeviceSimulator(catalog, new SimulatorOptions { DevicesPerProfile = 3, AnomalyRate = 0.02, Seed = 42 }, time);
        var registry = new DeviceRegistry(catalog.Vocabulary.Count);
        var alerts = new RecordingPublisher();
        var engine = new RuleEngine(ShippedCatalog.Rules, catalog.Vocabulary, registry, alerts, time, new RuleEngineOptions());
        var readings = catalog.CreateReadingSet();
        var hour = TimeSpan.FromHours(1);
        var end = start + hour + LongestAlert;
        while (time.GetUtcNow() < end)
        {
            for (var i = 0; i < ReadingsPerSecond; i++)
            {
                var message = simulator.Next();
                var decoded = catalog.Decode(message.Topic, message.Payload, readings, time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000);
                Assert.True(decoded.IsSuccess, decoded.ToString());
                for (var r = 0; r < readings.Count; r++)
                {
                    registry.Observe(readings[r]);
                    engine.Evaluate(readings[r]);
                }
            }

            time.Advance(TimeSpan.FromSeconds(1));
            engine.Tick();
        }

        var flapping = alerts.Alerts.Where(a => a.Annotations.ContainsKey("flapping")).ToList();
        Assert.True(flapping.Count == 0, "held as flapping: " + string.Join("; ", flapping.Select(Describe)));

        var fired = alerts.Alerts.Where(a => a.Status == AlertStatus.Firing && a.StartsAt < start + hour).ToList();
        Assert.True(fired.Count >= 5, $"only {fired.Count} alerts fired in an hour of the demo");
        Assert.True(fired.Select(a => a.RuleName).Distinct().Count() >= 3, "alerts from only: " + string.Join(", ", fired.Select(a => a.RuleName).Distinct()));
        foreach (var alert in fired)
        {
            var resolved = alerts.Alerts.FirstOrDefault(a => a.Fingerprint == alert.Fingerprint && a.Status == AlertStatus.Resolved && a.At > alert.At);
            Assert.True(resolved is not null, "never resolved: " + Describe(alert));
            Assert.True(resolved.At - alert.StartsAt <= LongestAlert, $"resolved only after {resolved.At - alert.StartsAt}: {Describe(alert)}");
        }
    }

    private static string Describe(Alert a) => $"{a.RuleName} {a.DeviceId} {a.Status} at {a.At:HH:mm:ss} value {a.ValueText ?? a.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
}
