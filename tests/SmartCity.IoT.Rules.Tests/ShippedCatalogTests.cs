using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Rules.Tests.Support;

namespace SmartCity.IoT.Rules.Tests;

/// <summary>
/// The shipped rules fit the shipped profiles: every rule can fire on some profile (its match selects it, the profile
/// decodes every field the rule reads, and every hole of its summary can be filled), a rule that reads a profile can
/// fire on it, and one synthetic episode per rule, driven through the real engine, fires it with a summary that renders.
/// </summary>
public sealed class ShippedCatalogTests
{
    /// <summary>One believable episode per shipped rule, in the field's own terms; run on every profile the rule fits.</summary>
    private static readonly Dictionary<string, Action<ProfileDriver>> Episodes = new(StringComparer.Ordinal)
    {
        ["co2_high"] = d => d.Hold(TimeSpan.FromMinutes(3), [("co2", 1600)]),
        ["pm2_5_high"] = d => d.Hold(TimeSpan.FromMinutes(16), [("pm2_5", 60)]),
        ["pm10_high"] = d => d.Hold(TimeSpan.FromMinutes(16), [("pm10", 150)]),
        ["tvoc_high"] = d => d.Hold(TimeSpan.FromMinutes(6), [("tvoc", 1500)]),
        ["co2_rising_fast"] = d =>
        {
            d.Send(("co2", 500));
            d.After(TimeSpan.FromSeconds(30), ("co2", 1200));
        },
        ["room_too_hot"] = d => d.Hold(TimeSpan.FromMinutes(11), [("temperature", 30)]),
        ["room_too_cold"] = d => d.Hold(TimeSpan.FromMinutes(11), [("temperature", 15)]),
        ["humidity_high"] = d => d.Hold(TimeSpan.FromMinutes(16), [("humidity", 85)]),
        ["condensation_risk"] = d => d.Hold(TimeSpan.FromMinutes(11), [("humidity", 93)]),
        ["indoor_noise_high"] = d => d.Hold(TimeSpan.FromMinutes(11), [("noise", 76)]),
        ["construction_noise"] = d => d.Hold(TimeSpan.FromMinutes(16), [("noise", 80)]),
        ["construction_dust"] = d => d.Hold(TimeSpan.FromMinutes(16), [("pm10", 200)]),
        ["construction_vibration"] = d => d.Send(("vibration", 12)),
        ["construction_high_wind"] = d => d.Send(("wind_speed", 18)),
        ["crack_width_growth"] = d =>
        {
            d.Send(("crack_width", 180));
            d.After(TimeSpan.FromHours(6), ("crack_width", 240));
        },
        ["crack_width_large"] = d => d.Send(("crack_width", 350)),
        ["structure_tilt"] = d => d.Hold(TimeSpan.FromMinutes(6), [("tilt_x", 0.8), ("tilt_y", 0.1)]),
        ["toilet_ammonia"] = d => d.Hold(TimeSpan.FromMinutes(6), [("ammonia", 2.5)]),
        ["toilet_h2s"] = d => d.Hold(TimeSpan.FromMinutes(6), [("h2s", 0.5)]),
        ["water_biotoxicity"] = d => d.Send(("biotoxicity", 62)),
        ["water_ph_out_of_range"] = d => d.Hold(TimeSpan.FromMinutes(11), [("ph", 9.3)]),
        ["water_turbidity"] = d => d.Hold(TimeSpan.FromMinutes(11), [("turbidity", 6)]),
        ["water_chlorine_low"] = d => d.Hold(TimeSpan.FromMinutes(16), [("chlorine", 0.1)]),
        ["water_chlorine_missing"] = d => d.Hold(TimeSpan.FromMinutes(31), [("ph", 7.4)]),
        ["parking_bay_fault"] = d => d.Hold(TimeSpan.FromMinutes(2), [("bay_state", "fault")]),
        ["agv_fault"] = d => d.Send(("agv_state", "fault")),
        ["agv_stuck_lifting"] = d => d.Hold(TimeSpan.FromMinutes(11), [("agv_state", "lifting")]),
        ["aircon_filter_clogged"] = d => d.Hold(TimeSpan.FromMinutes(31), [("filter_pressure_drop", 380)]),
        ["aircon_not_cooling"] = d => d.Hold(TimeSpan.FromMinutes(21), [("power", true), ("supply_temperature", 23.5), ("return_temperature", 25), ("setpoint", 24)]),
        ["zone_crowded"] = d => d.Hold(TimeSpan.FromMinutes(6), [("people_count", 75)]),
        ["floor_co2_average"] = d => d.Hold(TimeSpan.FromMinutes(6), [("co2", 1600)]),
        ["room_over_capacity"] = d => d.Hold(TimeSpan.FromMinutes(3), [("people_count", 14)]),
        ["room_over_max_temperature"] = d => d.Hold(TimeSpan.FromMinutes(6), [("temperature", 30)]),
        ["toilet_occupied_after_hours"] = d => d.Hold(TimeSpan.FromMinutes(31), [("occupancy", true)]),
        ["occupancy_count_disagrees"] = d => d.Hold(TimeSpan.FromMinutes(16), [("occupancy", true), ("people_count", 0)]),
        ["device_offline"] = d =>
        {
            var first = d.Profile.Decoding.Fields[0].Field;
            d.Send((first.Name, first.Type is Core.Model.FieldType.Enum or Core.Model.FieldType.Boolean ? 0 : (first.Min + first.Max) / 2));
            d.Wait(TimeSpan.FromMinutes(16));
        },
        ["co2_sensor_silent"] = d => d.Hold(TimeSpan.FromMinutes(31), [("temperature", 22)]),
        ["battery_low"] = d => d.Hold(TimeSpan.FromMinutes(61), [("battery", 10)]),
        ["energy_use_high"] = d =>
        {
            // +12 kWh, then the meter resets and counts 9.5 more: 21.5 kWh in the hour, which delta() would call -990.5.
            d.Send(("energy_kwh", 1000));
            d.After(TimeSpan.FromMinutes(10), ("energy_kwh", 1012));
            d.After(TimeSpan.FromMinutes(10), ("energy_kwh", 0.5));
            d.After(TimeSpan.FromMinutes(10), ("energy_kwh", 9.5));
        },
    };

    public static TheoryData<string> RuleNames()
    {
        var data = new TheoryData<string>();
        foreach (var rule in ShippedCatalog.Rules.Rules)
        {
            data.Add(rule.Name);
        }

        return data;
    }

    [Fact]
    public void Every_shipped_rule_can_fire_on_a_shipped_profile()
    {
        var failures = new List<string>();
        foreach (var rule in ShippedCatalog.Rules.Compiled)
        {
            if (ShippedCatalog.FittingProfiles(rule).Count > 0)
            {
                continue;
            }

            var near = ShippedCatalog.Catalog.Profiles.Where(p => ShippedCatalog.Selects(rule, p)).Select(p => $"{p.Id}: {string.Join("; ", ShippedCatalog.Misfits(rule, p))}").ToList();
            failures.Add($"{rule.Name} ({rule.Definition.File}:{rule.Definition.Line}) fits no shipped profile: " + (near.Count == 0 ? "its match selects none" : string.Join(" | ", near)));
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void A_rule_that_reads_a_profile_can_fire_on_it()
    {
        // A rule is evaluated on every reading that carries one of its fields; if the profile never sends another field it
        // needs, the rule watches that device and can never fire there: a gap nobody sees.
        var failures = new List<string>();
        var vocabulary = ShippedCatalog.Catalog.Vocabulary;
        foreach (var rule in ShippedCatalog.Rules.Compiled)
        {
            var needed = ShippedCatalog.ExpressionFields(rule);
            foreach (var profile in ShippedCatalog.Catalog.Profiles.Where(p => ShippedCatalog.Selects(rule, p)))
            {
                var fields = ShippedCatalog.Fields(profile);
                var missing = needed.Where(id => !fields.Contains(id)).Select(id => vocabulary[id].Name).ToList();
                if (missing.Count > 0 && missing.Count < needed.Count)
                {
                    var read = needed.Where(fields.Contains).Select(id => vocabulary[id].Name);
                    failures.Add($"{rule.Name} reads {string.Join(", ", read)} from {profile.Id}, which never sends {string.Join(", ", missing)}: the rule can never fire there");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void Every_shipped_rule_has_an_episode_here()
    {
        var missing = ShippedCatalog.Rules.Rules.Select(r => r.Name).Where(n => !Episodes.ContainsKey(n)).ToList();
        Assert.True(missing.Count == 0, "add an episode for: " + string.Join(", ", missing));
    }

    [Theory]
    [MemberData(nameof(RuleNames))]
    public void Every_shipped_rule_fires_through_the_engine_on_every_profile_it_fits(string ruleName)
    {
        var rule = ShippedCatalog.Rule(ruleName);
        var profiles = ShippedCatalog.FittingProfiles(rule);
        Assert.NotEmpty(profiles);
        Assert.True(Episodes.TryGetValue(ruleName, out var episode), $"no episode for {ruleName}");
        foreach (var profile in profiles)
        {
            var driver = new ProfileDriver(profile);
            episode(driver);
            var firing = driver.Of(ruleName).FirstOrDefault(a => a.Status == AlertStatus.Firing);
            Assert.True(firing is not null, $"{ruleName} did not fire on {profile.Id}; transitions: {string.Join(", ", driver.Alerts.Alerts.Select(a => $"{a.RuleName} {a.Status}"))}");
            Assert.True(double.IsFinite(firing.Value), $"{ruleName} on {profile.Id} reports value {firing.Value}");
            var summary = firing.Annotations["summary"];
            Assert.DoesNotContain("NaN", summary, StringComparison.Ordinal);
            Assert.DoesNotContain("  ", summary, StringComparison.Ordinal);
            Assert.DoesNotContain("()", summary, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Agv_stuck_lifting_needs_ten_minutes_of_lifting_not_five_readings()
    {
        var parking = ShippedCatalog.Catalog.Profiles.Single(p => p.Id == "parkbot/agv-p1");
        var d = new ProfileDriver(parking);
        for (var i = 0; i < 5; i++)
        {
            d.After(TimeSpan.FromMilliseconds(200), ("agv_state", "lifting"));
        }

        d.Wait(TimeSpan.FromMinutes(5));
        d.Send(("agv_state", "moving"));
        Assert.Empty(d.Of("agv_stuck_lifting"));

        var start = d.Time.GetUtcNow();
        d.Send(("agv_state", "lifting"));
        d.Hold(TimeSpan.FromMinutes(9), [("agv_state", "lifting")], TimeSpan.FromMinutes(1));
        Assert.Empty(d.Of("agv_stuck_lifting"));
        d.Hold(TimeSpan.FromMinutes(2), [("agv_state", "lifting")], TimeSpan.FromMinutes(1));
        var firing = Assert.Single(d.Of("agv_stuck_lifting"));
        Assert.True(firing.At - start >= TimeSpan.FromMinutes(10), $"fired after {firing.At - start}");
        Assert.Contains("lifting for over 10 minutes", firing.Annotations["summary"], StringComparison.Ordinal);

        d.Send(("agv_state", "idle"));
        Assert.Equal(AlertStatus.Resolved, d.Of("agv_stuck_lifting").Last().Status);
    }

    [Fact]
    public void Crack_growth_resolves_once_the_crack_stops_growing_and_never_reports_negative_growth()
    {
        var inspection = ShippedCatalog.Catalog.Profiles.Single(p => p.Id == "lionrock/aib-900");
        var d = new ProfileDriver(inspection);
        d.Send(("crack_width", 180));
        d.After(TimeSpan.FromHours(6), ("crack_width", 240));
        var firing = Assert.Single(d.Of("crack_width_growth"));
        Assert.Equal(AlertStatus.Firing, firing.Status);
        Assert.Equal(60, firing.Value);
        Assert.Contains("60 um wider than its narrowest in 24 h (now 240 um)", firing.Annotations["summary"], StringComparison.Ordinal);

        // Growth stops: a capture every 6 hours at the same width; the alert resolves once a day has passed without growth.
        d.Hold(TimeSpan.FromHours(24), [("crack_width", 240)], TimeSpan.FromHours(6));
        var resolved = d.Of("crack_width_growth").Last();
        Assert.Equal(AlertStatus.Resolved, resolved.Status);
        Assert.True(resolved.At - firing.At <= TimeSpan.FromHours(24), $"resolved {resolved.At - firing.At} after firing");
        Assert.Equal(0, resolved.Value);

        // A re-measured, narrower crack is not negative growth.
        d.After(TimeSpan.FromHours(1), ("crack_width", 300));
        d.After(TimeSpan.FromHours(1), ("crack_width", 240));
        Assert.All(d.Of("crack_width_growth"), a =>
        {
            Assert.True(a.Value >= 0, $"{a.Status} with value {a.Value}");
            Assert.DoesNotContain(" -", a.Annotations["summary"], StringComparison.Ordinal);
        });
        Assert.Equal(AlertStatus.Resolved, d.Of("crack_width_growth").Last().Status);
    }

    [Fact]
    public void Condensation_risk_and_indoor_noise_fire_on_the_pavilion_environment_sensor()
    {
        var ies = ShippedCatalog.Catalog.Profiles.Single(p => p.Id == "harbourtech/ies-300");
        Assert.Contains(ies, ShippedCatalog.FittingProfiles(ShippedCatalog.Rule("condensation_risk")));
        Assert.Contains(ies, ShippedCatalog.FittingProfiles(ShippedCatalog.Rule("indoor_noise_high")));
        Assert.Contains(ies, ShippedCatalog.FittingProfiles(ShippedCatalog.Rule("co2_high")));
    }

    [Fact]
    public void Occupancy_alerts_name_the_zone()
    {
        var om = ShippedCatalog.Catalog.Profiles.Single(p => p.Id == "lionrock/om-100");
        var d = new ProfileDriver(om);
        d.Hold(TimeSpan.FromMinutes(6), [("people_count", 120), ("occupancy", true)]);
        var crowded = Assert.Single(d.Of("zone_crowded"));
        Assert.Equal(AlertSeverity.Major, crowded.Severity);
        Assert.Equal("expo-hall-east", crowded.Labels["zone"]);
        Assert.Equal("120 people in zone expo-hall-east on hq/3 (dev-1)", crowded.Annotations["summary"]);
        Assert.Empty(d.Of("occupancy_count_disagrees"));
    }
}
