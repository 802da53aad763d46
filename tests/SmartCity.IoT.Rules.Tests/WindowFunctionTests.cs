using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Rules.Engine;
using SmartCity.IoT.Rules.Tests.Support;

namespace SmartCity.IoT.Rules.Tests;

public sealed class WindowFunctionTests
{
    private static EngineHarness Run(string expr, params (int AtSecond, string Field, double Value)[] readings)
    {
        var h = new EngineHarness($"rules:\n  - name: r\n    expr: '{expr}'\n");
        var t0 = h.Time.GetUtcNow();
        foreach (var (at, field, value) in readings)
        {
            h.Time.SetUtcNow(t0 + TimeSpan.FromSeconds(at));
            h.Send("ems-1", (field, value));
        }

        return h;
    }

    [Fact]
    public void Avg_over_a_window_drops_old_samples()
    {
        // 15m average: 10 at t=0 ages out before 50 arrives; kept, it would hold the average at 30.5 (no alert).
        var h = Run("avg(pm2_5, 15m) > 35", (0, "pm2_5", 10), (600, "pm2_5", 30), (960, "pm2_5", 32));
        Assert.Empty(h.Publisher.Alerts);
        h.Time.Advance(TimeSpan.FromSeconds(10));
        h.Send("ems-1", ("pm2_5", 50));
        var alert = Assert.Single(h.Publisher.Alerts);
        Assert.Equal((30 + 32 + 50) / 3.0, alert.Value, 9);
    }

    [Fact]
    public void Min_and_max_over_a_window()
    {
        Assert.Single(Run("max(noise, 1m) > 85", (0, "noise", 90), (30, "noise", 60)).Publisher.Alerts);
        var h = Run("min(temperature, 10m) < 5", (0, "temperature", 3), (700, "temperature", 10));
        Assert.Equal([AlertStatus.Firing, AlertStatus.Resolved], h.Publisher.Statuses);
    }

    [Fact]
    public void Delta_is_newest_minus_oldest_in_the_window()
    {
        var h = Run("delta(crack_width, 10m) > 0.2", (0, "crack_width", 1.0), (300, "crack_width", 1.1), (599, "crack_width", 1.25));
        var alert = Assert.Single(h.Publisher.Alerts);
        Assert.Equal(0.25, alert.Value, 9);
        // A single sample has no delta (unknown, not zero): nothing fires, nothing crashes.
        Assert.Empty(Run("delta(crack_width, 10m) < 1", (0, "crack_width", 1.0)).Publisher.Alerts);
    }

    [Fact]
    public void Rate_is_per_second_over_the_window()
    {
        // +300 ppm in 60 s = 5 ppm/s.
        var h = Run("rate(co2, 5m) > 4", (0, "co2", 600), (60, "co2", 900));
        Assert.Equal(5, Assert.Single(h.Publisher.Alerts).Value, 9);
        Assert.Empty(Run("rate(co2, 5m) > 6", (0, "co2", 600), (60, "co2", 900)).Publisher.Alerts);
    }

    [Fact]
    public void Count_counts_readings_where_a_condition_held()
    {
        var h = Run("count(door_open, 10m) >= 3", (0, "door_open", 1), (60, "door_open", 0), (120, "door_open", 1));
        Assert.Empty(h.Publisher.Alerts);
        h.Time.Advance(TimeSpan.FromSeconds(60));
        h.Send("ems-1", ("door_open", 1));
        Assert.Equal(3, Assert.Single(h.Publisher.Alerts).Value);

        // The first opening ages out after 10 minutes: the count drops to 2 and the alert resolves.
        h.Time.Advance(TimeSpan.FromSeconds(430));
        h.Send("ems-1", ("door_open", 0));
        Assert.Equal(AlertStatus.Resolved, h.Publisher.Alerts[^1].Status);
    }

    [Fact]
    public void Absent_fires_from_the_timer_even_when_the_device_sends_other_fields()
    {
        var h = new EngineHarness("rules:\n  - name: no_co2\n    expr: absent(co2, 10m)\n    annotations: { summary: 'no co2 for {{ value:0 }} s' }\n");
        h.Send("ems-1", ("co2", 600), ("temperature", 21));
        h.TickFor(TimeSpan.FromMinutes(5));
        h.Send("ems-1", ("temperature", 21)); // the device is alive but co2 is missing
        h.TickFor(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        Assert.Empty(h.Publisher.Alerts);
        h.TickFor(TimeSpan.FromSeconds(1));
        var alert = Assert.Single(h.Publisher.Alerts);
        Assert.Equal("no co2 for 600 s", alert.Annotations["summary"]);

        h.Send("ems-1", ("co2", 610));
        Assert.Equal(AlertStatus.Resolved, h.Publisher.Alerts[^1].Status);
    }

    [Fact]
    public void Absent_counts_from_first_sight_for_a_field_never_sent()
    {
        var h = new EngineHarness("rules:\n  - name: no_co2\n    expr: absent(co2, 10m)\n");
        h.Send("ems-1", ("temperature", 21));
        h.TickFor(TimeSpan.FromMinutes(10));
        Assert.Equal(RulePhase.Firing, h.Phase("no_co2", "ems-1"));
    }

    [Fact]
    public void Windows_ignore_non_finite_samples_and_combine_with_plain_fields()
    {
        var h = Run("avg(pm2_5, 15m) > 35 and pm10 > 50", (0, "pm2_5", 40), (10, "pm2_5", double.NaN), (20, "pm2_5", double.PositiveInfinity));
        Assert.Empty(h.Publisher.Alerts);
        h.Send("ems-1", ("pm10", 60));
        Assert.Equal(40, Assert.Single(h.Publisher.Alerts).Value);
    }

    [Fact]
    public void Windows_grow_to_hold_many_samples()
    {
        var h = new EngineHarness("rules:\n  - name: r\n    expr: avg(co2, 1h) > 1000\n");
        for (var i = 0; i < 600; i++)
        {
            h.Advance(TimeSpan.FromSeconds(5));
            h.Send("ems-1", ("co2", i < 300 ? 1500 : 600)); // 50 minutes of samples, avg 1050
        }

        Assert.Equal(RulePhase.Firing, h.Phase("r", "ems-1"));
        Assert.Equal(1050, h.Engine.ActiveAlerts()[0].Value, 6);
    }

    [Fact]
    public void Increase_of_a_counter_counts_a_reset_as_a_restart_from_zero()
    {
        // 100 -> 104 (+4), reset to 0.5 (+0.5, counted from 0), -> 3 (+2.5): 7 kWh, where delta() would say -97.
        var h = Run("increase(energy_kwh, 1h) > 6", (0, "energy_kwh", 100), (600, "energy_kwh", 104), (1200, "energy_kwh", 0.5), (1800, "energy_kwh", 3));
        Assert.Equal(7, Assert.Single(h.Publisher.Alerts).Value, 9);
        Assert.Empty(Run("increase(energy_kwh, 1h) > 7.5", (0, "energy_kwh", 100), (600, "energy_kwh", 104), (1200, "energy_kwh", 0.5), (1800, "energy_kwh", 3)).Publisher.Alerts);
    }

    [Fact]
    public void Increase_across_a_register_wrap_never_goes_negative()
    {
        // A 32-bit register of 0.001 kWh wraps at 4294967.296: 4294967.0 -> 0.7 is a wrap, counted as +0.7 (the 0.296 before
        // the wrap is not seen), then +1.3; a gauge reading of the same samples would drop by four million.
        var h = Run("increase(energy_kwh, 1h) > 1.9", (0, "energy_kwh", 4294967.0), (600, "energy_kwh", 0.7), (1200, "energy_kwh", 2.0));
        Assert.Equal(2.0, Assert.Single(h.Publisher.Alerts).Value, 9);
    }

    [Fact]
    public void Rate_of_a_counter_is_reset_aware_and_rate_of_a_gauge_is_not()
    {
        // Counter: +4 (4/600 s is above the threshold) then reset to 2: 6 kWh over 1200 s.
        var counter = Run("rate(energy_kwh, 1h) < 0.006", (0, "energy_kwh", 100), (600, "energy_kwh", 104), (1200, "energy_kwh", 2));
        Assert.Equal(6 / 1200.0, Assert.Single(counter.Publisher.Alerts).Value, 12);

        // Gauge: the same numbers are a fall of 98 ppm.
        var gauge = Run("rate(co2, 1h) < 0", (0, "co2", 100), (600, "co2", 104), (1200, "co2", 2));
        Assert.Equal(-98 / 1200.0, Assert.Single(gauge.Publisher.Alerts).Value, 12);
    }

    [Fact]
    public void Increase_of_a_gauge_is_a_load_error_naming_delta()
    {
        var e = Assert.ThrowsAny<Exception>(() => new EngineHarness("rules:\n  - name: r\n    expr: 'increase(co2, 1h) > 5'\n"));
        Assert.Contains("increase() is for counter fields (counter: true in devices/vocabulary.yaml, such as energy_kwh); 'co2' is a gauge: use delta(co2, ...)", e.Message, StringComparison.Ordinal);
    }
}
