using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Rules.Engine;
using SmartCity.IoT.Rules.Tests.Support;

namespace SmartCity.IoT.Rules.Tests;

public sealed class LifecycleTests
{
    private const string Co2 = """
        rules:
          - name: co2_high
            match: { family: environment }
            expr: co2 > 1000
            clear: co2 < 900
            severity: warning
            escalate:
              - { severity: major, expr: co2 > 1500 }
              - { severity: critical, expr: co2 > 2500 }
            labels: { team: "facilities-{{ building }}" }
            annotations:
              summary: "CO2 {{ value }} ppm on {{ building }}/{{ floor }}"
              detail: "{{ alertname }} {{ severity }} {{ device }} {{ family }} {{ profile }} t={{ temperature:F1 }} missing=[{{ room }}]"
        """;

    [Fact]
    public void Fires_at_once_without_for_and_resolves_only_below_the_clear_threshold()
    {
        var h = new EngineHarness(Co2);
        h.Send("ems-1", ("co2", 800), ("temperature", 21.26));
        Assert.Empty(h.Publisher.Alerts);

        h.Send("ems-1", ("co2", 1200));
        var fired = Assert.Single(h.Publisher.Alerts);
        Assert.Equal(AlertStatus.Firing, fired.Status);
        Assert.Equal(AlertSeverity.Warning, fired.Severity);
        Assert.Equal(1200, fired.Value);
        Assert.Equal("CO2 1200 ppm on HQ1/3", fired.Annotations["summary"]);
        Assert.Equal("co2_high warning ems-1 environment acme/ems-200 t=21.3 missing=[]", fired.Annotations["detail"]);
        Assert.Equal("facilities-HQ1", fired.Labels["team"]);
        Assert.Equal("co2_high", fired.Labels["alertname"]);
        Assert.Equal("warning", fired.Labels["severity"]);
        Assert.Equal("ems-1", fired.Labels["device"]);
        Assert.Equal("environment", fired.Labels["family"]);
        Assert.Equal("HQ1", fired.Labels["building"]);
        Assert.Equal(h.Time.GetUtcNow(), fired.StartsAt);
        Assert.Equal(RuleEngine.Fingerprint("co2_high", "acme/ems-200", "ems-1"), fired.Fingerprint);

        // Hysteresis band: below the firing threshold but not below clear keeps firing.
        h.Send("ems-1", ("co2", 950));
        h.Send("ems-1", ("co2", 901));
        Assert.Single(h.Publisher.Alerts);
        Assert.Equal(RulePhase.Firing, h.Phase("co2_high", "ems-1"));

        h.Advance(TimeSpan.FromMinutes(3));
        h.Send("ems-1", ("co2", 850));
        var resolved = h.Publisher.Alerts[^1];
        Assert.Equal(AlertStatus.Resolved, resolved.Status);
        Assert.Equal(fired.Fingerprint, resolved.Fingerprint);
        Assert.Equal(fired.StartsAt, resolved.StartsAt);
        Assert.Equal(h.Time.GetUtcNow(), resolved.EndsAt);
        Assert.Equal(850, resolved.Value);
        Assert.Equal(RulePhase.Resolved, h.Phase("co2_high", "ems-1"));

        // Re-firing later keeps the same identity.
        h.Send("ems-1", ("co2", 1100));
        Assert.Equal(AlertStatus.Firing, h.Publisher.Alerts[^1].Status);
        Assert.Equal(fired.Fingerprint, h.Publisher.Alerts[^1].Fingerprint);
    }

    [Fact]
    public void Escalates_and_deescalates_between_thresholds_without_resolving()
    {
        var h = new EngineHarness(Co2);
        h.Send("ems-1", ("co2", 1100));
        h.Send("ems-1", ("co2", 1600));
        h.Send("ems-1", ("co2", 3000));
        h.Send("ems-1", ("co2", 2000));
        h.Send("ems-1", ("co2", 950)); // hysteresis band: stays major (no level holds, clear does not)
        h.Send("ems-1", ("co2", 1200));
        h.Send("ems-1", ("co2", 100));
        Assert.Equal(
            [(AlertStatus.Firing, AlertSeverity.Warning), (AlertStatus.Escalated, AlertSeverity.Major), (AlertStatus.Escalated, AlertSeverity.Critical), (AlertStatus.Deescalated, AlertSeverity.Major), (AlertStatus.Deescalated, AlertSeverity.Warning), (AlertStatus.Resolved, AlertSeverity.Warning)],
            h.Publisher.Alerts.Select(a => (a.Status, a.Severity)));
        Assert.Single(h.Publisher.Alerts.Select(a => a.Fingerprint).Distinct());
        Assert.Equal("critical", h.Publisher.Alerts[2].Labels["severity"]);
    }

    [Fact]
    public void Starts_at_the_severity_of_the_highest_threshold_that_holds()
    {
        var h = new EngineHarness(Co2);
        h.Send("ems-1", ("co2", 2600));
        Assert.Equal((AlertStatus.Firing, AlertSeverity.Critical), (h.Publisher.Alerts[0].Status, h.Publisher.Alerts[0].Severity));
    }

    [Fact]
    public void For_holds_as_pending_and_fires_from_the_timer_without_a_new_reading()
    {
        var h = new EngineHarness("rules:\n  - name: hot\n    expr: temperature > 30\n    for: 5m\n");
        h.Send("ems-1", ("temperature", 31));
        Assert.Equal(RulePhase.Pending, h.Phase("hot", "ems-1"));
        Assert.Equal(RulePhase.Pending, Assert.Single(h.Engine.ActiveAlerts()).State);

        h.TickFor(TimeSpan.FromMinutes(4) + TimeSpan.FromSeconds(59));
        Assert.Empty(h.Publisher.Alerts);
        h.TickFor(TimeSpan.FromSeconds(1));
        var fired = Assert.Single(h.Publisher.Alerts);
        Assert.Equal(AlertStatus.Firing, fired.Status);
        Assert.Equal(31, fired.Value);
        var active = Assert.Single(h.Engine.ActiveAlerts());
        Assert.Equal((RulePhase.Firing, fired.Fingerprint, 31.0), (active.State, active.Fingerprint, active.Value));
    }

    [Fact]
    public void Pending_goes_back_to_inactive_when_the_condition_stops_before_for()
    {
        var h = new EngineHarness("rules:\n  - name: hot\n    expr: temperature > 30\n    for: 5m\n");
        h.Send("ems-1", ("temperature", 31));
        h.Advance(TimeSpan.FromMinutes(3));
        h.Send("ems-1", ("temperature", 29));
        Assert.Equal(RulePhase.Inactive, h.Phase("hot", "ems-1"));
        h.Advance(TimeSpan.FromMinutes(3));
        h.Send("ems-1", ("temperature", 31));
        h.TickFor(TimeSpan.FromMinutes(4));
        Assert.Empty(h.Publisher.Alerts);
        h.TickFor(TimeSpan.FromMinutes(1));
        Assert.Single(h.Publisher.Alerts);
    }

    [Fact]
    public void Keep_firing_for_delays_resolution_and_a_relapse_cancels_it()
    {
        var h = new EngineHarness("rules:\n  - name: hot\n    expr: temperature > 30\n    keep_firing_for: 2m\n");
        h.Send("ems-1", ("temperature", 31));
        h.Send("ems-1", ("temperature", 25));
        h.TickFor(TimeSpan.FromMinutes(1));
        h.Send("ems-1", ("temperature", 32)); // relapse: the clock restarts
        h.Send("ems-1", ("temperature", 25));
        h.TickFor(TimeSpan.FromSeconds(119));
        Assert.Equal([AlertStatus.Firing], h.Publisher.Statuses);
        h.TickFor(TimeSpan.FromSeconds(1));
        Assert.Equal([AlertStatus.Firing, AlertStatus.Resolved], h.Publisher.Statuses);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Non_finite_values_never_fire_and_never_resolve(double bad)
    {
        var h = new EngineHarness("""
            rules:
              - name: high
                expr: co2 > 1000
              - name: negated
                expr: not (co2 < 5000)
              - name: arithmetic
                expr: temperature - dew_point < 2
              - name: either
                expr: co2 > 1000 or humidity > 90
            """);
        h.Send("ems-1", ("co2", bad), ("temperature", bad), ("dew_point", 10), ("humidity", 50));
        Assert.Empty(h.Publisher.Alerts);

        h.Send("ems-2", ("co2", 1200));
        Assert.Equal(["high", "either"], h.Publisher.Alerts.Select(a => a.RuleName));
        h.Send("ems-2", ("co2", bad));
        Assert.Equal(2, h.Publisher.Alerts.Count);
        Assert.Equal(RulePhase.Firing, h.Phase("high", "ems-2"));
    }

    [Fact]
    public void Missing_fields_never_fire_and_unrelated_readings_do_not_disturb_a_rule()
    {
        var h = new EngineHarness("rules:\n  - name: dew\n    expr: temperature - dew_point < 2\n    for: 1m\n  - name: neg\n    expr: not (co2 > 1000)\n");
        h.Send("ems-1", ("humidity", 50)); // neither field: the rules are not evaluated
        h.Send("ems-1", ("temperature", 15)); // dew_point never reported: unknown
        Assert.Empty(h.Publisher.Alerts);
        Assert.Equal(RulePhase.Inactive, h.Phase("dew", "ems-1"));

        h.Send("ems-1", ("dew_point", 14)); // split messages: the latest temperature is used
        Assert.Equal(RulePhase.Pending, h.Phase("dew", "ems-1"));
        h.Advance(TimeSpan.FromMinutes(2));
        h.Send("ems-1", ("humidity", 60)); // carries neither field: pending is not reset, not evaluated
        Assert.Equal(RulePhase.Pending, h.Phase("dew", "ems-1"));
        h.Engine.Tick();
        Assert.Equal(RulePhase.Firing, h.Phase("dew", "ems-1"));
        Assert.Equal(1, h.Publisher.Alerts[0].Value, 6);
    }

    [Fact]
    public void Enum_and_boolean_fields_and_tag_conditions()
    {
        var h = new EngineHarness("""
            rules:
              - name: bay_fault
                match: { family: parking }
                expr: bay_state == "fault"
                severity: major
                annotations: { summary: "bay {{ device }} is {{ bay_state }}" }
              - name: door
                expr: door_open and tags.building != "Lab"
            """);
        h.SendAs(h.Parking, "bay-7", ["zone", "P1"], ("bay_state", 1));
        Assert.Empty(h.Publisher.Alerts);
        h.SendAs(h.Parking, "bay-7", ["zone", "P1"], ("bay_state", 3));
        var fault = Assert.Single(h.Publisher.Alerts);
        Assert.Equal(("bay_fault", AlertSeverity.Major, "bay bay-7 is fault", "parking"), (fault.RuleName, fault.Severity, fault.Annotations["summary"], fault.Family));
        h.SendAs(h.Parking, "bay-7", ["zone", "P1"], ("bay_state", 0));
        Assert.Equal(AlertStatus.Resolved, h.Publisher.Alerts[^1].Status);

        h.Publisher.Clear();
        h.SendAs(h.Environment, "door-lab", ["building", "Lab"], ("door_open", 1));
        h.SendAs(h.Environment, "door-hq", ["building", "HQ1"], ("door_open", 0));
        Assert.Empty(h.Publisher.Alerts);
        h.SendAs(h.Environment, "door-hq", ["building", "HQ1"], ("door_open", 1));
        Assert.Equal("door-hq", Assert.Single(h.Publisher.Alerts).DeviceId);
    }

    [Fact]
    public void Match_is_computed_per_device_with_wildcards_lists_profiles_and_device_ids()
    {
        var h = new EngineHarness("""
            rules:
              - name: hq_floors
                match: { family: "env*", profile: "acme/*", device: "ems-?", tags: { building: "HQ*", floor: ["3", "4"] } }
                expr: co2 > 1000
            """);
        h.SendAs(h.Environment, "ems-1", ["building", "HQ2", "floor", "4"], ("co2", 2000));
        h.SendAs(h.Environment, "ems-2", ["building", "HQ2", "floor", "5"], ("co2", 2000));
        h.SendAs(h.Environment, "ems-3", ["building", "Annex", "floor", "3"], ("co2", 2000));
        h.SendAs(h.Environment, "ems-10", ["building", "HQ1", "floor", "3"], ("co2", 2000));
        h.SendAs(h.Environment, "ems-4", ["floor", "3"], ("co2", 2000));
        h.SendAs(h.Parking, "ems-5", ["building", "HQ1", "floor", "3"], ("co2", 2000));
        Assert.Equal(["ems-1"], h.Publisher.Alerts.Select(a => a.DeviceId));
        Assert.Null(h.Phase("hq_floors", "ems-2"));
    }
}
