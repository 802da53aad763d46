using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Rules.Tests.Support;

namespace SmartCity.IoT.Rules.Tests;

/// <summary>Staleness for states beyond online/offline: a sleeping device is alive until its silence outlasts the rule.</summary>
public sealed class AvailabilityStateStalenessTests
{
    private const string Offline = """
        rules:
          - name: device_offline
            kind: staleness
            after: 15m
            severity: major
            match: { family: environment }
        """;

    [Fact]
    public void Sleeping_restarts_the_silence_clock_and_resolves_staleness_but_a_sleep_past_the_rule_still_goes_stale()
    {
        var h = new EngineHarness(Offline);
        h.Send("ems-1", ("co2", 600));
        h.TickFor(TimeSpan.FromMinutes(16));
        Assert.Equal(AlertStatus.Firing, Assert.Single(h.Publisher.Alerts).Status);

        var device = h.Registry[0];
        device.Availability = DeviceAvailability.Sleeping;
        h.Engine.ObserveAvailability(device);
        Assert.Equal(AlertStatus.Resolved, h.Publisher.Alerts[^1].Status);
        h.TickFor(TimeSpan.FromMinutes(14));
        Assert.Equal(2, h.Publisher.Alerts.Count); // asleep, and within the rule's 15 minutes: no alert
        h.TickFor(TimeSpan.FromMinutes(2));
        Assert.Equal(AlertStatus.Firing, h.Publisher.Alerts[^1].Status); // a flat battery sleeps forever
    }

    [Fact]
    public void An_unknown_state_changes_nothing_and_offline_fires_at_once()
    {
        var h = new EngineHarness(Offline);
        h.Send("ems-1", ("co2", 600));
        var device = h.Registry[0];
        device.Availability = DeviceAvailability.Unknown;
        h.Engine.ObserveAvailability(device);
        h.TickFor(TimeSpan.FromMinutes(10));
        Assert.Empty(h.Publisher.Alerts);

        device.Availability = DeviceAvailability.Offline;
        h.Engine.ObserveAvailability(device);
        h.Engine.Tick();
        Assert.Equal(AlertStatus.Firing, Assert.Single(h.Publisher.Alerts).Status);
    }
}
