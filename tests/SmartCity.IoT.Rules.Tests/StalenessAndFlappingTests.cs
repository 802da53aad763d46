using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Rules.Engine;
using SmartCity.IoT.Rules.Model;
using SmartCity.IoT.Rules.Tests.Support;

namespace SmartCity.IoT.Rules.Tests;

public sealed class StalenessAndFlappingTests
{
    private const string Offline = """
        rules:
          - name: device_offline
            kind: staleness
            after: 15m
            severity: major
            match: { family: environment }
            annotations: { summary: "{{ device }} silent for {{ value:0 }} s" }
        """;

    [Fact]
    public void Staleness_fires_from_the_timer_and_resolves_on_the_next_message()
    {
        var h = new EngineHarness(Offline);
        h.Send("ems-1", ("co2", 600));
        h.Send("ems-2", ("co2", 600));
        h.TickFor(TimeSpan.FromMinutes(10));
        h.Send("ems-2", ("co2", 600)); // ems-2 keeps talking
        h.TickFor(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        Assert.Empty(h.Publisher.Alerts);
        h.TickFor(TimeSpan.FromSeconds(1));
        var alert = Assert.Single(h.Publisher.Alerts);
        Assert.Equal(("device_offline", "ems-1", AlertSeverity.Major, AlertStatus.Firing), (alert.RuleName, alert.DeviceId, alert.Severity, alert.Status));
        Assert.Equal("ems-1 silent for 900 s", alert.Annotations["summary"]);

        h.TickFor(TimeSpan.FromMinutes(30)); // no repeats while firing
        Assert.Single(h.Publisher.Alerts, a => a.DeviceId == "ems-1");

        h.Send("ems-1", ("temperature", 20));
        var resolved = h.Publisher.Alerts.Last(a => a.DeviceId == "ems-1");
        Assert.Equal((AlertStatus.Resolved, alert.Fingerprint), (resolved.Status, resolved.Fingerprint));
        Assert.Equal(RulePhase.Resolved, h.Phase("device_offline", "ems-1"));
    }

    [Fact]
    public void Staleness_uses_receive_time_not_the_device_clock()
    {
        // The device clock is two hours behind: by its timestamps it went silent long ago, yet it just sent.
        var h = new EngineHarness(Offline) { DeviceClockOffset = TimeSpan.FromHours(-2) };
        h.Send("ems-1", ("co2", 600));
        h.TickFor(TimeSpan.FromMinutes(14));
        Assert.Empty(h.Publisher.Alerts);
        h.TickFor(TimeSpan.FromMinutes(1));
        Assert.Single(h.Publisher.Alerts);
    }

    [Fact]
    public void An_availability_topic_saying_offline_fires_staleness_at_the_next_tick()
    {
        var h = new EngineHarness(Offline);
        h.Send("ems-1", ("co2", 600));
        h.Registry[0].Online = false;
        h.Engine.ObserveAvailability(h.Registry[0]); // as the gateway does on every availability message
        h.Engine.Tick();
        Assert.Equal(AlertStatus.Firing, Assert.Single(h.Publisher.Alerts).Status);

        // It still sends (the last will was stale): resolved, and not re-fired every tick while the flag stays offline.
        h.Send("ems-1", ("co2", 600));
        h.TickFor(TimeSpan.FromSeconds(10));
        Assert.Equal([AlertStatus.Firing, AlertStatus.Resolved], h.Publisher.Statuses);

        // Online, then offline again: a new offline report fires again.
        h.Registry[0].Online = true;
        h.Engine.ObserveAvailability(h.Registry[0]); // as the gateway does on every availability message
        h.Engine.Tick();
        h.Registry[0].Online = false;
        h.Engine.ObserveAvailability(h.Registry[0]); // as the gateway does on every availability message
        h.Engine.Tick();
        Assert.Equal([AlertStatus.Firing, AlertStatus.Resolved, AlertStatus.Firing], h.Publisher.Statuses);
    }

    [Fact]
    public void A_flapping_rule_holds_firing_says_so_and_resolves_once_changes_age_out()
    {
        var h = new EngineHarness("""
            rules:
              - name: flappy
                expr: co2 > 1000
                flapping: { max_changes: 4, window: 10m }
            """);
        for (var i = 0; i < 3; i++)
        {
            h.Send("ems-1", ("co2", 1200));
            h.Advance(TimeSpan.FromSeconds(30));
            h.Send("ems-1", ("co2", 800));
            h.Advance(TimeSpan.FromSeconds(30));
        }

        // F R F R F, then the 4-changes limit holds the alert firing instead of resolving a third time.
        Assert.Equal([AlertStatus.Firing, AlertStatus.Resolved, AlertStatus.Firing, AlertStatus.Resolved, AlertStatus.Firing, AlertStatus.Firing], h.Publisher.Statuses);
        var notice = h.Publisher.Alerts[^1];
        Assert.Contains("flapping", notice.Annotations["flapping"]);
        Assert.True(Assert.Single(h.Engine.ActiveAlerts()).Flapping);

        // Further toggles change nothing while held.
        h.Send("ems-1", ("co2", 1200));
        h.Send("ems-1", ("co2", 800));
        Assert.Equal(6, h.Publisher.Alerts.Count);

        // Once the old changes leave the 10-minute window, the held alert resolves (the clear condition still holds).
        h.TickFor(TimeSpan.FromMinutes(10));
        Assert.Equal(AlertStatus.Resolved, h.Publisher.Alerts[^1].Status);
        Assert.Equal(7, h.Publisher.Alerts.Count);
        Assert.Single(h.Publisher.Alerts.Select(a => a.Fingerprint).Distinct());
    }

    [Fact]
    public void The_engine_default_flapping_policy_applies_unless_a_rule_turns_it_off()
    {
        var options = new RuleEngineOptions { DefaultFlapping = new FlappingPolicy(2, TimeSpan.FromHours(1)) };
        var h = new EngineHarness("rules:\n  - name: a\n    expr: co2 > 1000\n  - name: b\n    expr: co2 > 1000\n    flapping: off\n", options);
        h.Send("ems-1", ("co2", 1200));
        h.Send("ems-1", ("co2", 800));
        h.Send("ems-1", ("co2", 1200));
        h.Send("ems-1", ("co2", 800));
        Assert.Equal([AlertStatus.Firing, AlertStatus.Resolved, AlertStatus.Firing, AlertStatus.Firing], h.Publisher.Alerts.Where(x => x.RuleName == "a").Select(x => x.Status));
        Assert.Equal([AlertStatus.Firing, AlertStatus.Resolved, AlertStatus.Firing, AlertStatus.Resolved], h.Publisher.Alerts.Where(x => x.RuleName == "b").Select(x => x.Status));
    }

    [Fact]
    public void Device_offline_resolves_with_how_long_the_device_was_silent()
    {
        var h = new EngineHarness(Offline);
        h.Send("ems-1", ("co2", 600));
        h.TickFor(TimeSpan.FromMinutes(15));
        Assert.Equal("ems-1 silent for 900 s", Assert.Single(h.Publisher.Alerts).Annotations["summary"]);
        h.TickFor(TimeSpan.FromMinutes(5));
        h.Send("ems-1", ("co2", 600));
        var resolved = h.Publisher.Alerts[^1];
        Assert.Equal((AlertStatus.Resolved, 1200.0, "ems-1 silent for 1200 s"), (resolved.Status, resolved.Value, resolved.Annotations["summary"]));
    }

    [Fact]
    public void An_availability_online_message_resolves_staleness_and_restarts_the_silence_clock()
    {
        var h = new EngineHarness(Offline);
        h.Send("ems-1", ("co2", 600));
        h.TickFor(TimeSpan.FromMinutes(16));
        Assert.Equal(AlertStatus.Firing, Assert.Single(h.Publisher.Alerts).Status);

        // The gateway saw "online" on the availability topic (it was online already: nothing in the registry changes).
        var device = h.Registry[0];
        device.Online = true;
        h.Engine.ObserveAvailability(device);
        var resolved = h.Publisher.Alerts[^1];
        Assert.Equal((AlertStatus.Resolved, "ems-1 silent for 960 s"), (resolved.Status, resolved.Annotations["summary"]));
        h.TickFor(TimeSpan.FromMinutes(14));
        Assert.Equal(2, h.Publisher.Alerts.Count); // counted from the online message, not from the last reading
        h.TickFor(TimeSpan.FromMinutes(1));
        Assert.Equal(AlertStatus.Firing, h.Publisher.Alerts[^1].Status);
    }

    [Fact]
    public void A_device_reported_online_after_offline_resolves_staleness_on_the_next_tick()
    {
        var h = new EngineHarness(Offline);
        h.Send("ems-1", ("co2", 600));
        h.Registry[0].Online = false; // the last will: offline
        h.Engine.ObserveAvailability(h.Registry[0]); // as the gateway does on every availability message
        h.Engine.Tick();
        Assert.Equal(AlertStatus.Firing, Assert.Single(h.Publisher.Alerts).Status);

        h.TickFor(TimeSpan.FromSeconds(30));
        h.Registry[0].Online = true; // set by the gateway when the device says online, without a reading
        h.Engine.ObserveAvailability(h.Registry[0]); // as the gateway does on every availability message
        h.Engine.Tick();
        Assert.Equal([AlertStatus.Firing, AlertStatus.Resolved], h.Publisher.Statuses);
        Assert.Equal(RulePhase.Resolved, h.Phase("device_offline", "ems-1"));
    }

    [Fact]
    public void Availability_of_a_device_the_engine_has_not_seen_binds_it_without_failing()
    {
        var h = new EngineHarness(Offline);
        var registry = new DeviceRegistry(h.Vocabulary.Count);
        h.Engine = new RuleEngine(h.Rules, h.Vocabulary, registry, h.Publisher, h.Time);
        h.Reading.Reset();
        h.Reading.Profile = h.Environment;
        h.Reading.DeviceId = "ems-9".AsMemory();
        var device = registry.Observe(h.Reading);
        device.Online = false;
        h.Engine.ObserveAvailability(device);
        h.Engine.Tick();
        Assert.Equal(("ems-9", AlertStatus.Firing), (Assert.Single(h.Publisher.Alerts).DeviceId, h.Publisher.Alerts[0].Status));
        Assert.Empty(h.Engine.BrokenRules);
    }

    [Fact]
    public void A_flapping_hold_reports_the_value_that_fired_not_the_one_that_cleared()
    {
        var h = new EngineHarness("rules:\n  - name: flappy\n    expr: co2 > 1000\n    flapping: { max_changes: 4, window: 10m }\n");
        for (var i = 0; i < 3; i++)
        {
            h.Send("ems-1", ("co2", 1200 + i));
            h.Send("ems-1", ("co2", 800));
        }

        var held = h.Publisher.Alerts[^1];
        Assert.Equal((AlertStatus.Firing, 1202.0), (held.Status, held.Value));
        Assert.True(held.Annotations.ContainsKey("flapping"));
    }

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
