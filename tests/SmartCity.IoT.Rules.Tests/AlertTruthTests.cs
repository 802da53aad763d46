using System.Buffers;
using System.Text;
using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Core.LineProtocol;
using SmartCity.IoT.Rules.Engine;
using SmartCity.IoT.Rules.Model;
using SmartCity.IoT.Rules.Tests.Support;

namespace SmartCity.IoT.Rules.Tests;

/// <summary>What an alert says is true: its value, its summary, its time (issue 13, items 5, 6, 7 and 9).</summary>
public sealed class AlertTruthTests
{
    [Fact]
    public void A_for_pending_across_a_clean_restart_fires_with_the_value_it_was_pending_with()
    {
        const string rules = """
            rules:
              - name: hot
                expr: temperature > 28
                for: 5m
                annotations: { summary: "hot {{ value }} degC" }
            """;
        var h = new EngineHarness(rules);
        h.Send("ems-1", ("temperature", 31.5));
        h.Advance(TimeSpan.FromMinutes(1));
        h.Send("ems-1", ("temperature", 32.5)); // still pending: the latest value is the one to report
        Assert.Equal(RulePhase.Pending, h.Phase("hot", "ems-1"));
        using var checkpoint = new MemoryStream();
        h.Engine.SaveCheckpoint(checkpoint);

        // A new process: a new registry that has not seen the device yet, so the timer has no values at hand.
        var after = new EngineHarness(rules, time: h.Time);
        checkpoint.Position = 0;
        after.Engine.RestoreCheckpoint(checkpoint);
        after.TickFor(TimeSpan.FromMinutes(5));
        var alert = Assert.Single(after.Publisher.Alerts);
        Assert.Equal((AlertStatus.Firing, 32.5, "hot 32.5 degC"), (alert.Status, alert.Value, alert.Annotations["summary"]));
        Assert.Equal(32.5, Assert.Single(after.Engine.ActiveAlerts()).Value);
    }

    [Fact]
    public void A_burst_of_readings_from_many_devices_never_fires_a_rate()
    {
        // 2,000 readings from 100 devices arriving within 20 ms (a broker replaying a backlog): receive times microseconds
        // apart, values noisy. The shipped rule, with the engine's default flapping policy.
        var h = new EngineHarness(RateRules, new RuleEngineOptions());
        var random = new Random(6);
        for (var n = 0; n < 20; n++)
        {
            for (var d = 0; d < 100; d++)
            {
                h.Advance(TimeSpan.FromTicks(100)); // 10 us per reading
                h.Send($"ems-{d:D3}", ("co2", 850 + random.Next(0, 400)));
            }
        }

        Assert.Empty(h.Publisher.Alerts);

        // A real rise afterwards, +20 ppm/s reported every 5 s, fires with a true rate; flat devices do not fire.
        for (var s = 5; s <= 120; s += 5)
        {
            h.Advance(TimeSpan.FromSeconds(5));
            h.Send("ems-000", ("co2", 1000 + (20 * s)));
            h.Send("ems-001", ("co2", 1000));
        }

        var alert = Assert.Single(h.Publisher.Alerts);
        Assert.Equal(("ems-000", AlertStatus.Firing), (alert.DeviceId, alert.Status));
        Assert.InRange(alert.Value, 10, 30);
        Assert.StartsWith("CO2 rising ", alert.Annotations["summary"], StringComparison.Ordinal);
        Assert.DoesNotContain("-", alert.Annotations["summary"], StringComparison.Ordinal);
    }

    [Fact]
    public void A_wall_clock_stepping_back_does_not_shorten_a_windows_span()
    {
        var h = new EngineHarness("rules:\n  - name: r\n    expr: rate(co2, 1m) > 10\n");
        var t0 = h.Time.GetUtcNow();
        var clock = new ManualTimeProvider(t0); // FakeTimeProvider refuses to go back; a wall clock does not
        h.Engine = new RuleEngine(h.Rules, h.Vocabulary, h.Registry, h.Publisher, clock);
        h.Send("ems-1", ("co2", 800));
        clock.Now = t0 + TimeSpan.FromSeconds(30);
        h.Send("ems-1", ("co2", 900));
        clock.Now = t0 + TimeSpan.FromSeconds(10); // NTP steps the clock back 20 s
        h.Send("ems-1", ("co2", 950)); // 150 ppm over the 30 s the engine has seen: 5 ppm/s, not 15
        Assert.Empty(h.Publisher.Alerts);
    }

    [Fact]
    public void Transitions_of_one_series_within_one_millisecond_are_distinct_points()
    {
        var h = new EngineHarness("rules:\n  - name: toggle\n    expr: co2 > 1000\n");
        const int n = 50;
        for (var i = 0; i < n; i++)
        {
            h.Send("ems-1", ("co2", 1200)); // the clock does not move at all
            h.Send("ems-1", ("co2", 800));
        }

        Assert.Equal(2 * n, h.Publisher.Alerts.Count);
        var times = h.Publisher.Alerts.Select(a => a.At).ToArray();
        Assert.Equal(times.Order(), times);
        Assert.Equal(times.Length, times.Distinct().Count());
        Assert.True(times[^1] - times[0] < TimeSpan.FromMilliseconds(1));
        Assert.All(h.Publisher.Alerts.Where(a => a.Status == AlertStatus.Resolved), a => Assert.Equal(a.At, a.EndsAt));

        // In line protocol: one series per status; within each, every point has its own timestamp.
        var points = h.Publisher.Alerts.Select(a =>
        {
            var buffer = new ArrayBufferWriter<byte>();
            LineProtocolWriter.WriteAlert(buffer, a);
            var line = Encoding.UTF8.GetString(buffer.WrittenSpan).TrimEnd('\n');
            return (Series: line[..line.IndexOf(' ', StringComparison.Ordinal)], Time: line[(line.LastIndexOf(' ') + 1)..]);
        }).ToArray();
        Assert.Equal(2, points.Select(p => p.Series).Distinct().Count());
        Assert.Equal(2 * n, points.Distinct().Count());
    }

    [Fact]
    public void Enum_and_boolean_rules_report_their_value_by_name()
    {
        var h = new EngineHarness("""
            rules:
              - name: agv_fault
                match: { family: parking }
                expr: agv_state == "fault"
                annotations: { summary: "AGV {{ value }} ({{ agv_state }})" }
              - name: door
                expr: door_open and co2 > 0
                annotations: { summary: "door open: {{ value }}, {{ door_open }}" }
              - name: co2
                expr: co2 > 1000
                annotations: { summary: "co2 {{ value }}" }
            """);
        h.SendAs(h.Parking, "bay-1", h.DefaultTags, ("agv_state", Array.IndexOf(TestVocabulary.AgvStates, "fault")));
        h.Send("ems-1", ("door_open", 1), ("co2", 1200));

        var fault = h.Publisher.Alerts.Single(a => a.RuleName == "agv_fault");
        Assert.Equal(("fault", "AGV fault (fault)"), (fault.ValueText, fault.Annotations["summary"]));
        var door = h.Publisher.Alerts.Single(a => a.RuleName == "door");
        Assert.Equal(("true", "door open: true, true"), (door.ValueText, door.Annotations["summary"]));
        var co2 = h.Publisher.Alerts.Single(a => a.RuleName == "co2");
        Assert.Equal((null, 1200.0, "co2 1200"), (co2.ValueText, co2.Value, co2.Annotations["summary"]));
        Assert.Equal("fault", h.Engine.ActiveAlerts().Single(a => a.RuleName == "agv_fault").ValueText);

        var buffer = new ArrayBufferWriter<byte>();
        LineProtocolWriter.WriteAlert(buffer, fault);
        var line = Encoding.UTF8.GetString(buffer.WrittenSpan);
        Assert.Contains(",value_text=\"fault\",", line, StringComparison.Ordinal);
        Assert.DoesNotContain("value=", line.Replace("value_text=", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    private const string RateRules = """
        rules:
          - name: co2_rising_fast
            match: { family: environment }
            expr: rate(co2, 5m) > 10 and co2 > 800
            severity: info
            annotations:
              summary: "CO2 rising {{ value:0.0 }} ppm/s on {{ building }}/{{ floor }}"
        """;
}
