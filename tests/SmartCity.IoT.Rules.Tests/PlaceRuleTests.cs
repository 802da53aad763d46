using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Core.Loading;
using SmartCity.IoT.Rules.Engine;
using SmartCity.IoT.Rules.Engine.Places;
using SmartCity.IoT.Rules.Loading;
using SmartCity.IoT.Rules.Tests.Support;

namespace SmartCity.IoT.Rules.Tests;

/// <summary>Rules over places: aggregates per zone/floor, place attributes, schedules (occupied hours and cron).</summary>
public sealed class PlaceRuleTests
{
    // The harness clock starts on Monday 2026-11-23 08:00 UTC (inside the building's occupied hours).
    private static EngineHarness Harness(string yaml, TestBuilding building)
    {
        var h = new EngineHarness(yaml);
        h.Engine.ApplyModel(building.Model);
        return h;
    }

    [Fact]
    public void Floor_average_fires_once_for_the_floor_with_place_labels_and_resolves()
    {
        var building = new TestBuilding().Place("a", "z301").Place("b", "z302").Place("c", "f4");
        var h = Harness("""
            rules:
              - name: floor_co2
                over: floor
                expr: avg(co2) > 1000
                clear: avg(co2) < 900
                annotations: { summary: "{{ value:0 }} ppm average on {{ place.name }} of {{ place.building }}" }
            """, building);

        h.Send("a", ("co2", 900));
        h.Send("b", ("co2", 1000));
        Assert.Empty(h.Publisher.Alerts); // avg 950
        h.Send("b", ("co2", 1300));      // avg 1100
        var fired = Assert.Single(h.Publisher.Alerts);
        Assert.Equal(AlertStatus.Firing, fired.Status);
        Assert.Equal(1100, fired.Value);
        Assert.Equal("f3", fired.DeviceId);
        Assert.Equal(PlaceAggregator.ProfileId, fired.ProfileId);
        Assert.Equal(RuleEngine.Fingerprint("floor_co2", PlaceAggregator.ProfileId, "f3"), fired.Fingerprint);
        Assert.Equal("f3", fired.Labels["place"]);
        Assert.Equal("Floor 3", fired.Labels["place_name"]);
        Assert.Equal("Floor", fired.Labels["place_kind"]);
        Assert.Equal("hq", fired.Labels["building"]);
        Assert.Equal("1100 ppm average on Floor 3 of Headquarters", fired.Annotations["summary"]);

        h.Send("c", ("co2", 5000)); // another floor: its own place, its own alert
        Assert.Equal(2, h.Publisher.Alerts.Count);
        Assert.Equal("f4", h.Publisher.Alerts[1].DeviceId);

        h.Send("b", ("co2", 800)); // avg 850: clear holds
        Assert.Equal(AlertStatus.Resolved, h.Publisher.Alerts[^1].Status);
        Assert.Equal("f3", h.Publisher.Alerts[^1].DeviceId);
        Assert.Equal(RulePhase.Resolved, h.Engine.GetPlacePhase("floor_co2", "f3"));
        Assert.Equal(RulePhase.Firing, h.Engine.GetPlacePhase("floor_co2", "f4"));
    }

    [Fact]
    public void A_stale_member_is_left_out_of_the_average_and_the_alert_resolves_without_a_reading()
    {
        var building = new TestBuilding().Place("a", "z301").Place("b", "z301");
        var h = Harness("""
            rules:
              - name: zone_co2
                over: zone
                stale_after: 5m
                expr: avg(co2) > 1000
            """, building);

        h.Send("a", ("co2", 2000));
        h.Send("b", ("co2", 600)); // avg 1300
        Assert.Equal(AlertStatus.Firing, Assert.Single(h.Publisher.Alerts).Status);
        h.TickFor(TimeSpan.FromMinutes(3));
        h.Send("b", ("co2", 600)); // a silent for 3 min: still counted
        h.TickFor(TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(5)); // a silent 5 min: left out, avg 600
        Assert.Equal(AlertStatus.Resolved, h.Publisher.Alerts[^1].Status);
        Assert.Equal(600, h.Publisher.Alerts[^1].Value);
    }

    [Fact]
    public void Max_follows_the_extreme_member_when_it_drops_or_goes_stale()
    {
        var building = new TestBuilding().Place("a", "z301").Place("b", "z301").Place("c", "z301");
        var h = Harness("""
            rules:
              - name: zone_hot
                over: zone
                stale_after: 2m
                expr: max(temperature) > 30
                value: max(temperature)
              - name: zone_cold
                over: zone
                stale_after: 2m
                expr: min(temperature) < 15
                value: min(temperature)
            """, building);

        h.Send("a", ("temperature", 35));
        h.Send("b", ("temperature", 31));
        h.Send("c", ("temperature", 20));
        Assert.Equal(35, Assert.Single(h.Publisher.Alerts).Value);
        h.Send("a", ("temperature", 22)); // the maximum's member dropped: b's 31 is the maximum now, still over
        Assert.Single(h.Publisher.Alerts);
        h.TickFor(TimeSpan.FromMinutes(1));
        h.Send("a", ("temperature", 22));
        h.Send("c", ("temperature", 20));
        h.TickFor(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(5)); // b stale: max 22
        var resolved = h.Publisher.Alerts[^1];
        Assert.Equal((AlertStatus.Resolved, "zone_hot", 22.0), (resolved.Status, resolved.RuleName, resolved.Value));

        h.Send("c", ("temperature", 10)); // min 10
        Assert.Equal(("zone_cold", AlertStatus.Firing, 10.0), (h.Publisher.Alerts[^1].RuleName, h.Publisher.Alerts[^1].Status, h.Publisher.Alerts[^1].Value));
        h.Send("c", ("temperature", 21)); // the minimum's member rose: a's 22 and c's 21, min 21
        Assert.Equal(("zone_cold", AlertStatus.Resolved, 21.0), (h.Publisher.Alerts[^1].RuleName, h.Publisher.Alerts[^1].Status, h.Publisher.Alerts[^1].Value));
    }

    [Fact]
    public void Sum_and_count_over_a_floor_compare_with_the_floors_capacity()
    {
        var building = new TestBuilding().Place("p1", "z401").Place("p2", "z401").Place("p3", "f4");
        var h = Harness("""
            rules:
              - name: floor_full
                over: floor
                expr: sum(people_count) > place.capacity and count(people_count) >= 2
            """, building);

        h.Send("p1", ("people_count", 100));
        h.Send("p3", ("people_count", 10));
        Assert.Empty(h.Publisher.Alerts); // 110 of 120
        h.Send("p2", ("people_count", 15));
        var fired = Assert.Single(h.Publisher.Alerts);
        Assert.Equal(("f4", 125.0), (fired.DeviceId, fired.Value));
        h.Send("p2", ("people_count", 5));
        Assert.Equal(AlertStatus.Resolved, h.Publisher.Alerts[^1].Status);
    }

    [Fact]
    public void Capacity_rule_fires_and_resolves_per_device_with_the_place_in_labels_and_annotations()
    {
        var building = new TestBuilding().Place("occ-1", "meet-3a").Place("occ-2", "z301");
        var h = Harness("""
            rules:
              - name: over_capacity
                expr: people_count > place.capacity
                annotations: { summary: "{{ value:0 }} people in {{ place.name }} (capacity {{ place.capacity }})" }
            """, building);

        h.Send("occ-2", ("people_count", 500)); // the open office has no capacity: unknown, never fires
        h.Send("occ-1", ("people_count", 8));
        Assert.Empty(h.Publisher.Alerts);
        h.Send("occ-1", ("people_count", 9));
        var fired = Assert.Single(h.Publisher.Alerts);
        Assert.Equal(("occ-1", AlertStatus.Firing), (fired.DeviceId, fired.Status));
        Assert.Equal("9 people in Meeting room 3A (capacity 8)", fired.Annotations["summary"]);
        Assert.Equal(("meet-3a", "Meeting room 3A", "Room"), (fired.Labels["place"], fired.Labels["place_name"], fired.Labels["place_kind"]));
        Assert.Equal("3", fired.Labels["floor"]); // the device's own tag wins over the model's floor id
        h.Send("occ-1", ("people_count", 4));
        Assert.Equal(AlertStatus.Resolved, h.Publisher.Alerts[^1].Status);
    }

    [Fact]
    public void An_attribute_is_inherited_from_the_nearest_ancestor()
    {
        var building = new TestBuilding().Place("occ", "z401"); // z401 has no capacity; floor f4 has 120
        var h = Harness("rules:\n  - name: cap\n    expr: people_count > place.capacity\n", building);
        h.Send("occ", ("people_count", 121));
        Assert.Equal(AlertStatus.Firing, Assert.Single(h.Publisher.Alerts).Status);
    }

    [Fact]
    public void Server_room_over_its_max_temperature()
    {
        var building = new TestBuilding().Place("t1", "server-3").Place("t2", "z301");
        var h = Harness("rules:\n  - name: too_hot\n    expr: temperature > place.max_temperature\n", building);
        h.Send("t2", ("temperature", 40));
        h.Send("t1", ("temperature", 26));
        Assert.Empty(h.Publisher.Alerts);
        h.Send("t1", ("temperature", 28));
        Assert.Equal("t1", Assert.Single(h.Publisher.Alerts).DeviceId);
    }

    [Fact]
    public void A_model_reload_moves_a_device_to_its_new_place()
    {
        var building = new TestBuilding().Place("occ", "z301");
        var h = Harness("rules:\n  - name: cap\n    expr: people_count > place.capacity\n", building);
        h.Send("occ", ("people_count", 20));
        Assert.Empty(h.Publisher.Alerts);
        h.Engine.ApplyModel(new TestBuilding().Place("occ", "meet-3a").Model);
        h.Send("occ", ("people_count", 20));
        Assert.Equal(AlertStatus.Firing, Assert.Single(h.Publisher.Alerts).Status);
    }

    [Fact]
    public void During_occupied_resolves_a_firing_alert_at_the_end_of_the_hours_without_a_reading()
    {
        var building = new TestBuilding().Place("e", "z301");
        var h = Harness("""
            rules:
              - name: co2_occupied
                during: occupied
                expr: co2 > 1000
            """, building);
        h.Advance(TimeSpan.FromHours(9) + TimeSpan.FromMinutes(58)); // 17:58
        h.Send("e", ("co2", 1500));
        Assert.Equal(AlertStatus.Firing, Assert.Single(h.Publisher.Alerts).Status);
        h.TickFor(TimeSpan.FromMinutes(1));
        Assert.Single(h.Publisher.Alerts); // 17:59, still occupied
        h.TickFor(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1)); // 18:00: hours over
        Assert.Equal(AlertStatus.Resolved, h.Publisher.Alerts[^1].Status);
        h.Send("e", ("co2", 1600)); // outside the hours the rule is not evaluated
        Assert.Equal(2, h.Publisher.Alerts.Count);
        Assert.Equal(RulePhase.Resolved, h.Phase("co2_occupied", "e"));
    }

    [Fact]
    public void Outside_occupied_fires_after_hours_and_a_pending_alert_is_dropped_when_the_hours_begin()
    {
        var building = new TestBuilding().Place("wc", "wc-3");
        var h = Harness("""
            rules:
              - name: toilet_after_hours
                outside: occupied
                expr: occupancy
                for: 10m
            """, building);

        h.Send("wc", ("occupancy", 1)); // Monday 08:00: occupied hours, rule does not apply
        h.TickFor(TimeSpan.FromMinutes(15));
        Assert.Empty(h.Publisher.Alerts);
        Assert.Equal(RulePhase.Inactive, h.Phase("toilet_after_hours", "wc"));

        h.Advance(TimeSpan.FromHours(10)); // 18:15
        h.Send("wc", ("occupancy", 1));
        Assert.Equal(RulePhase.Pending, h.Phase("toilet_after_hours", "wc"));
        h.TickFor(TimeSpan.FromMinutes(10));
        Assert.Equal(AlertStatus.Firing, Assert.Single(h.Publisher.Alerts).Status);
        h.Send("wc", ("occupancy", 0));
        Assert.Equal(AlertStatus.Resolved, h.Publisher.Alerts[^1].Status);

        h.Advance(TimeSpan.FromHours(13) + TimeSpan.FromMinutes(30)); // Tuesday 07:55
        h.Send("wc", ("occupancy", 1));
        Assert.Equal(RulePhase.Pending, h.Phase("toilet_after_hours", "wc"));
        h.TickFor(TimeSpan.FromMinutes(6)); // 08:01: hours began before the 10 minutes were up
        Assert.Equal(RulePhase.Resolved, h.Phase("toilet_after_hours", "wc"));
        Assert.Equal(2, h.Publisher.Alerts.Count);
    }

    [Fact]
    public void Cron_window_in_a_time_zone_fires_inside_and_resolves_at_its_end()
    {
        // 08:00 UTC is 16:00 in Hong Kong: the window 09:00-16:59 local ends at 09:00 UTC.
        var h = new EngineHarness("""
            rules:
              - name: office_hours_co2
                during: "* 9-16 * * MON-FRI"
                time_zone: Asia/Hong_Kong
                expr: co2 > 1000
                keep_firing_for: 30s
            """);
        h.Send("e", ("co2", 1500));
        Assert.Equal(AlertStatus.Firing, Assert.Single(h.Publisher.Alerts).Status);
        h.TickFor(TimeSpan.FromMinutes(59) + TimeSpan.FromSeconds(50));
        Assert.Single(h.Publisher.Alerts); // 08:59:50 UTC, 16:59:50 local
        h.TickFor(TimeSpan.FromSeconds(15));
        Assert.Single(h.Publisher.Alerts); // past 17:00 local but keep_firing_for 30s not over
        h.TickFor(TimeSpan.FromSeconds(30));
        Assert.Equal(AlertStatus.Resolved, h.Publisher.Alerts[^1].Status);
    }

    [Fact]
    public void Aggregate_rules_follow_occupied_hours_of_the_place_they_are_over()
    {
        var building = new TestBuilding().Place("a", "z301");
        var h = Harness("""
            rules:
              - name: floor_co2_occupied
                over: floor
                during: occupied
                expr: avg(co2) > 1000
            """, building);
        h.Advance(TimeSpan.FromHours(9) + TimeSpan.FromMinutes(59)); // 17:59
        h.Send("a", ("co2", 1400));
        Assert.Equal(AlertStatus.Firing, Assert.Single(h.Publisher.Alerts).Status);
        h.TickFor(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        Assert.Equal(AlertStatus.Resolved, h.Publisher.Alerts[^1].Status);
        Assert.Equal("f3", h.Publisher.Alerts[^1].DeviceId);
    }

    [Theory]
    [InlineData("over: floor\n    expr: co2 > 1000", "name 'co2' inside avg(), min(), max(), sum() or count()")]
    [InlineData("expr: avg(co2) > 1000", "without a window aggregates over the devices of a place: add 'over: zone'")]
    [InlineData("over: floor\n    expr: avg(co2, 5m) > 1000", "takes one field and aggregates the place's devices")]
    [InlineData("over: floor\n    expr: rate(co2, 5m) > 1000", "rate() is a per-device window")]
    [InlineData("over: flor\n    expr: avg(co2) > 1000", "unknown 'over: flor'")]
    [InlineData("over: floor\n    expr: avg(bay_state) > 1", "'bay_state' is an enum")]
    [InlineData("stale_after: 5m\n    expr: co2 > 1", "'stale_after' applies to rules with 'over'")]
    [InlineData("during: \"* 25 * * *\"\n    expr: co2 > 1", "neither 'occupied' nor a cron expression")]
    [InlineData("during: \"* 8-17 * * *\"\n    time_zone: Mars/Olympus\n    expr: co2 > 1", "unknown time zone 'Mars/Olympus'")]
    [InlineData("during: occupied\n    outside: occupied\n    expr: co2 > 1", "give 'during' or 'outside', not both")]
    [InlineData("during: occupied\n    time_zone: UTC\n    expr: co2 > 1", "occupied hours use the place's own time zone")]
    [InlineData("expr: co2 > place.", "an attribute name after 'place.'")]
    public void Place_keys_mistakes_are_load_errors_with_their_position(string body, string message)
    {
        var ex = Assert.Throws<DiagnosticException>(() => RuleLoader.LoadText($"rules:\n  - name: r\n    {body}\n", "p.yaml", TestVocabulary.Create()));
        var error = Assert.Single(ex.Errors);
        Assert.Contains(message, error.Message);
        Assert.True(error.Line >= 2, error.ToString());
    }

    [Fact]
    public void Check_reports_an_attribute_no_place_has_as_an_error_and_places_lacking_it_as_a_warning()
    {
        var building = new TestBuilding();
        var rules = RuleLoader.LoadText("""
            rules:
              - name: cap
                expr: people_count > place.capacty
              - name: hot
                expr: temperature > place.max_temperature
              - name: floor_cap
                over: floor
                expr: sum(people_count) > place.capacity
              - name: open
                during: occupied
                expr: co2 > 1000
            """, "places.yaml", TestVocabulary.Create());
        var report = PlaceRuleCheck.Check(rules, building.Model);

        var error = Assert.Single(report.Errors);
        Assert.Equal(("places.yaml", 2), (error.File, error.Line));
        Assert.Contains("place.capacty but no place in the building model (buildings.yaml) has 'capacty' (did you mean 'place.capacity'?)", error.Message);
        Assert.Equal(2, report.Warnings.Count);
        Assert.Contains("place.max_temperature, which is missing in places z301, z302, meet-3a, wc-3, z401", report.Warnings[0].Message);
        Assert.Contains("place.capacity, which is missing in place f3", report.Warnings[1].Message);
    }

    [Fact]
    public void Check_errors_when_no_place_has_occupied_hours_or_the_over_kind()
    {
        var model = new Core.Places.BuildingModel([new("s", "S", "Site"), new("b", "B", "Building")], p => p.Id == "b" ? "s" : null, _ => null);
        var rules = RuleLoader.LoadText("""
            rules:
              - name: open
                during: occupied
                expr: co2 > 1000
              - name: floors
                over: floor
                expr: avg(co2) > 1000
            """, "places.yaml", TestVocabulary.Create());
        var errors = PlaceRuleCheck.Check(rules, model).Errors;
        Assert.Equal(2, errors.Count);
        Assert.Contains("no place in the building model has occupied hours", errors[0].Message);
        Assert.Contains("has no place of kind Floor", errors[1].Message);
    }
}
