using SmartCity.IoT.Core.Alerting;
using static SmartCity.IoT.Benchmarks.Naive.NaiveContext;

namespace SmartCity.IoT.Benchmarks;

/// <summary>
/// The benchmark's 50 rules, twice: as a rule file for the engine and as plain LINQ/dictionary code for the naive
/// baseline (same names, same conditions). 16 apply to every indoor-environment device plus one building-scoped rule
/// per device; 5 of the 50 (10 %) use windows.
/// </summary>
internal static class BenchmarkRules
{
    public const int Buildings = 20;

    public static string Yaml()
    {
        var sb = new System.Text.StringBuilder("""
            rules:
              - name: co2_high
                match: { family: environment }
                expr: co2 > 1000
                escalate:
                  - { severity: major, expr: co2 > 1500 }
                  - { severity: critical, expr: co2 > 2500 }
                clear: co2 < 900
                for: 2m
                labels: { team: facilities }
                annotations: { summary: "CO2 {{ value }} ppm on {{ building }}/{{ floor }}" }
              - name: pm2_5_avg
                match: { family: environment }
                expr: avg(pm2_5, 15m) > 35
                clear: avg(pm2_5, 15m) < 25
              - name: pm10_high
                match: { family: environment }
                expr: pm10 > 100
                clear: pm10 < 80
              - name: tvoc_high
                match: { family: environment }
                expr: tvoc > 1000
                for: 5m
              - name: room_too_hot
                match: { family: environment }
                expr: temperature > 28
                clear: temperature < 27
                for: 10m
              - name: room_too_cold
                match: { family: environment }
                expr: temperature < 17
                for: 10m
              - name: humidity_high
                match: { family: environment }
                expr: humidity > 80
                for: 15m
              - name: humidity_low
                match: { family: environment }
                expr: humidity < 25
                for: 15m
              - name: co2_rising
                match: { family: environment }
                expr: rate(co2, 5m) > 10 and co2 > 800
              - name: co2_repeats
                match: { family: environment }
                expr: count(co2 > 1200, 10m) >= 5
              - name: battery_low
                match: { family: environment }
                expr: battery < 15
                clear: battery > 25
              - name: co2_silent
                match: { family: environment }
                expr: absent(co2, 30m)
              - name: stuffy
                match: { family: environment }
                expr: temperature > 26 and humidity > 65
              - name: dry_or_cold
                match: { family: environment }
                expr: not (humidity >= 30) or temperature < 16
              - name: fahrenheit_hot
                match: { family: environment }
                expr: temperature * 1.8 + 32 > 84
              - name: device_offline
                kind: staleness
                after: 15m
              - name: toilet_ammonia
                match: { family: toilet }
                expr: ammonia > 1
                for: 5m
              - name: toilet_h2s
                match: { family: toilet }
                expr: h2s > 0.2
              - name: water_biotoxicity
                match: { family: water_quality }
                expr: biotoxicity > 50
                severity: critical
              - name: water_ph
                match: { family: water_quality }
                expr: ph < 6.5 or ph > 8.5
              - name: water_turbidity
                match: { family: water_quality }
                expr: avg(turbidity, 10m) > 4
              - name: water_chlorine_low
                match: { family: water_quality }
                expr: chlorine < 0.2
              - name: parking_bay_fault
                match: { family: parking }
                expr: bay_state == "fault"
              - name: agv_fault
                match: { family: parking }
                expr: agv_state == "fault"
              - name: crack_growth
                match: { family: inspection }
                expr: delta(crack_width, 24h) > 20
              - name: crack_large
                match: { family: inspection }
                expr: crack_width > 300
              - name: structure_tilt
                match: { family: inspection }
                expr: abs(tilt_x) > 0.5 or abs(tilt_y) > 0.5
              - name: vibration_high
                match: { family: [construction, inspection] }
                expr: vibration > 10
              - name: construction_noise
                match: { family: construction }
                expr: noise > 85
              - name: aircon_filter
                match: { family: aircon }
                expr: filter_pressure_drop > 300

            """);
        for (var b = 0; b < Buildings; b++)
        {
            var floors = b % 2 == 0 ? "floor: [\"1\", \"2\", \"3\", \"4\", \"5\", \"6\", \"7\", \"8\", \"9\", \"10\"]" : "floor: \"*\"";
            sb.Append($"  - name: co2_strict_b{b:D2}\n    match: {{ family: env*, tags: {{ building: \"b{b:D2}\", {floors} }} }}\n    expr: co2 > 1300\n    severity: info\n    annotations: {{ summary: \"CO2 {{{{ value }}}} ppm in b{b:D2}\" }}\n");
        }

        return sb.ToString();
    }

    public static List<Naive.NaiveRule> Naive()
    {
        var env = "environment";
        var list = new List<Naive.NaiveRule>
        {
            new("co2_high", [env], [], ["co2"], [(AlertSeverity.Critical, c => Gt(c.V("co2"), 2500)), (AlertSeverity.Major, c => Gt(c.V("co2"), 1500)), (AlertSeverity.Warning, c => Gt(c.V("co2"), 1000))], c => Lt(c.V("co2"), 900), TimeSpan.FromMinutes(2), c => c.V("co2")),
            new("pm2_5_avg", [env], [], ["pm2_5"], [(AlertSeverity.Warning, c => Gt(c.Avg("pm2_5", TimeSpan.FromMinutes(15)), 35))], c => Lt(c.Avg("pm2_5", TimeSpan.FromMinutes(15)), 25), TimeSpan.Zero, c => c.Avg("pm2_5", TimeSpan.FromMinutes(15))),
            Simple("pm10_high", env, "pm10", c => Gt(c.V("pm10"), 100), c => Lt(c.V("pm10"), 80)),
            Simple("tvoc_high", env, "tvoc", c => Gt(c.V("tvoc"), 1000), null, TimeSpan.FromMinutes(5)),
            Simple("room_too_hot", env, "temperature", c => Gt(c.V("temperature"), 28), c => Lt(c.V("temperature"), 27), TimeSpan.FromMinutes(10)),
            Simple("room_too_cold", env, "temperature", c => Lt(c.V("temperature"), 17), null, TimeSpan.FromMinutes(10)),
            Simple("humidity_high", env, "humidity", c => Gt(c.V("humidity"), 80), null, TimeSpan.FromMinutes(15)),
            Simple("humidity_low", env, "humidity", c => Lt(c.V("humidity"), 25), null, TimeSpan.FromMinutes(15)),
            Simple("co2_rising", env, "co2", c => And(Gt(c.Rate("co2", TimeSpan.FromMinutes(5)), 10), Gt(c.V("co2"), 800))),
            Simple("co2_repeats", env, "co2", c => Ge(c.Count("co2_repeats", Gt(c.V("co2"), 1200), TimeSpan.FromMinutes(10)), 5)),
            Simple("battery_low", env, "battery", c => Lt(c.V("battery"), 15), c => Gt(c.V("battery"), 25)),
            new("co2_silent", [env], [], [], [(AlertSeverity.Warning, c => c.Absent("co2", TimeSpan.FromMinutes(30)))], null, TimeSpan.Zero, c => null),
            new("stuffy", [env], [], ["temperature", "humidity"], [(AlertSeverity.Warning, c => And(Gt(c.V("temperature"), 26), Gt(c.V("humidity"), 65)))], null, TimeSpan.Zero, c => c.V("temperature")),
            new("dry_or_cold", [env], [], ["temperature", "humidity"], [(AlertSeverity.Warning, c => Or(Not(Ge(c.V("humidity"), 30)), Lt(c.V("temperature"), 16)))], null, TimeSpan.Zero, c => c.V("humidity")),
            Simple("fahrenheit_hot", env, "temperature", c => Gt(c.V("temperature") * 1.8 + 32, 84)),
            Simple("toilet_ammonia", "toilet", "ammonia", c => Gt(c.V("ammonia"), 1), null, TimeSpan.FromMinutes(5)),
            Simple("toilet_h2s", "toilet", "h2s", c => Gt(c.V("h2s"), 0.2)),
            Simple("water_biotoxicity", "water_quality", "biotoxicity", c => Gt(c.V("biotoxicity"), 50)),
            Simple("water_ph", "water_quality", "ph", c => Or(Lt(c.V("ph"), 6.5), Gt(c.V("ph"), 8.5))),
            Simple("water_turbidity", "water_quality", "turbidity", c => Gt(c.Avg("turbidity", TimeSpan.FromMinutes(10)), 4)),
            Simple("water_chlorine_low", "water_quality", "chlorine", c => Lt(c.V("chlorine"), 0.2)),
            Simple("parking_bay_fault", "parking", "bay_state", c => c.Text("bay_state") is null ? null : c.Text("bay_state") == "fault"),
            Simple("agv_fault", "parking", "agv_state", c => c.Text("agv_state") is null ? null : c.Text("agv_state") == "fault"),
            Simple("crack_growth", "inspection", "crack_width", c => Gt(c.Delta("crack_width", TimeSpan.FromHours(24)), 20)),
            Simple("crack_large", "inspection", "crack_width", c => Gt(c.V("crack_width"), 300)),
            new("structure_tilt", ["inspection"], [], ["tilt_x", "tilt_y"], [(AlertSeverity.Warning, c => Or(Gt(Abs(c.V("tilt_x")), 0.5), Gt(Abs(c.V("tilt_y")), 0.5)))], null, TimeSpan.Zero, c => c.V("tilt_x")),
            new("vibration_high", ["construction", "inspection"], [], ["vibration"], [(AlertSeverity.Warning, c => Gt(c.V("vibration"), 10))], null, TimeSpan.Zero, c => c.V("vibration")),
            Simple("construction_noise", "construction", "noise", c => Gt(c.V("noise"), 85)),
            Simple("aircon_filter", "aircon", "filter_pressure_drop", c => Gt(c.V("filter_pressure_drop"), 300)),
        };
        for (var b = 0; b < Buildings; b++)
        {
            var floors = b % 2 == 0 ? Enumerable.Range(1, 10).Select(f => f.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray() : ["*"];
            list.Add(new($"co2_strict_b{b:D2}", ["env*"], [("building", [$"b{b:D2}"]), ("floor", floors)], ["co2"], [(AlertSeverity.Info, c => Gt(c.V("co2"), 1300))], null, TimeSpan.Zero, c => c.V("co2")));
        }

        return list;
    }

    private static Naive.NaiveRule Simple(string name, string family, string field, Func<Naive.NaiveContext, bool?> expr, Func<Naive.NaiveContext, bool?>? clear = null, TimeSpan @for = default) =>
        new(name, [family], [], [field], [(AlertSeverity.Warning, expr)], clear, @for, c => c.V(field));
}
