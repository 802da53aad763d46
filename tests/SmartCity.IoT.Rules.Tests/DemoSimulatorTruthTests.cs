using Microsoft.Extensions.Time.Testing;
using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Devices.Simulation;
using SmartCity.IoT.Rules.Engine;
using SmartCity.IoT.Rules.Tests.Support;

namespace SmartCity.IoT.Rules.Tests;

/// <summary>
/// The demo tells the truth: the simulator at the demo's defaults (every profile, 3 devices each, 20 readings/s, 5 %
/// anomalies), decoded by the shipped catalog and judged by the shipped rules with the default flapping policy, makes
/// alerts that fire and resolve within minutes, and none that is held as flapping or fires again on normal values.
/// Ten seeds, each from another hour of the day, so the daily cycle is seen at its lows and highs.
/// </summary>
public sealed class DemoSimulatorTruthTests
{
    private const int ReadingsPerSecond = 20;

    // The longest episode (8 min) plus the longest averaging window a shipped rule clears on (avg(pm2_5, 15m)), and a margin.
    private static readonly TimeSpan LongestAlert = TimeSpan.FromMinutes(25);

    // Shorter than the quiet gap between two episodes of a device at 5 % (over an hour and a half on average).
    private static readonly TimeSpan Refire = TimeSpan.FromMinutes(5);

    public static TheoryData<int, int> Seeds() => new() { { 42, 1 }, { 1, 3 }, { 2, 5 }, { 3, 7 }, { 4, 9 }, { 5, 11 }, { 6, 13 }, { 7, 16 }, { 8, 19 }, { 9, 22 } };

    [Theory]
    [MemberData(nameof(Seeds))]
    public void An_hour_of_the_demo_fires_alerts_that_resolve_and_never_flap(int seed, int startHourUtc)
    {
        var catalog = ShippedCatalog.Catalog;
        var start = new DateTimeOffset(2026, 11, 23, startHourUtc, 0, 0, TimeSpan.Zero);
        var time = new FakeTimeProvider(start);
        var simulator = new DeviceSimulator(catalog, new SimulatorOptions { DevicesPerProfile = 3, AnomalyRate = 0.05, Seed = seed }, time);
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
        foreach (var alert in fired)
        {
            var resolved = alerts.Alerts.FirstOrDefault(a => a.Fingerprint == alert.Fingerprint && a.Status == AlertStatus.Resolved && a.At > alert.At);
            Assert.True(resolved is not null, "never resolved: " + Describe(alert));
            Assert.True(resolved.At - alert.StartsAt <= LongestAlert, $"resolved only after {resolved.At - alert.StartsAt}: {Describe(alert)}");

            // An episode ends once: firing again right after resolving is a flap below the flapping policy's count.
            var again = alerts.Alerts.FirstOrDefault(a => a.Fingerprint == alert.Fingerprint && a.Status == AlertStatus.Firing && a.At > resolved.At);
            Assert.True(again is null || again.At - resolved.At > Refire, $"fired again {again?.At - resolved.At} after resolving: {Describe(alert)}");
        }

        // Few episodes last as long as a rule's for: of 10 minutes or more, so an hour fires a handful, not one per episode.
        Assert.True(fired.Count >= 2, $"only {fired.Count} alerts fired in an hour of the demo: " + string.Join("; ", fired.Select(Describe)));
        Assert.True(fired.Select(a => a.RuleName).Distinct().Count() >= 2, "alerts from only: " + string.Join(", ", fired.Select(a => a.RuleName).Distinct()));
    }

    private static string Describe(Alert a) => $"{a.RuleName} {a.DeviceId} {a.Status} at {a.At:HH:mm:ss} value {a.ValueText ?? a.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
}
