using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Rules.Tests.Support;

namespace SmartCity.IoT.Rules.Tests;

public sealed class TimerQueueTests
{
    private const string Rules = """
        rules:
          - name: offline
            kind: staleness
            after: 15m
          - name: hot
            expr: temperature > 30
            for: 10m
          - name: no_co2
            expr: absent(co2, 30m)
        """;

    [Fact]
    public void A_silent_device_among_many_goes_stale_on_time_while_quiet_ticks_look_at_no_device()
    {
        var h = new EngineHarness(Rules);
        const int Devices = 2000;
        for (var i = 0; i < Devices; i++)
        {
            h.Send($"ems-{i}", ("co2", 500));
        }

        var lastOfSilent = h.Time.GetUtcNow();
        var quietTicks = 0;
        var ticked = 0L;
        for (var second = 1; second <= 16 * 60; second++)
        {
            h.Advance(TimeSpan.FromSeconds(1));
            if (second % 300 == 0)
            {
                for (var i = 1; i < Devices; i++)
                {
                    h.Send($"ems-{i}", ("co2", 500)); // all but ems-0 report every 5 minutes
                }
            }

            h.Engine.Tick();
            ticked += h.Engine.LastTickedDevices;
            if (second % 300 != 0 && second > 1)
            {
                quietTicks++;
                Assert.True(h.Engine.LastTickedDevices <= 1, $"a quiet tick at {second} s looked at {h.Engine.LastTickedDevices} devices");
            }

            var stale = h.Publisher.Alerts.Where(a => a.RuleName == "offline").ToList();
            if (second < 15 * 60)
            {
                Assert.Empty(stale);
            }
            else
            {
                var alert = Assert.Single(stale);
                Assert.Equal(("ems-0", AlertStatus.Firing, lastOfSilent + TimeSpan.FromMinutes(15)), (alert.DeviceId, alert.Status, alert.At));
            }
        }

        Assert.True(quietTicks > 900);
        // Once per reading (four rounds) and once per device when its first silence limit came (it had reported since, so
        // it is re-scheduled): about 10,000 looks, where a sweep every second would have made 960 × 2,000.
        Assert.InRange(ticked, 4 * Devices, 5 * Devices);
    }

    [Fact]
    public void A_pending_for_and_an_absent_rule_fire_on_time_without_readings()
    {
        var h = new EngineHarness(Rules);
        h.Send("ems-1", ("temperature", 35));
        var start = h.Time.GetUtcNow();
        h.TickFor(TimeSpan.FromMinutes(31));
        var hot = Assert.Single(h.Publisher.Alerts, a => a.RuleName == "hot");
        Assert.Equal(start + TimeSpan.FromMinutes(10), hot.At);
        var absent = Assert.Single(h.Publisher.Alerts, a => a.RuleName == "no_co2");
        Assert.Equal(start + TimeSpan.FromMinutes(30), absent.At); // co2 never sent: absent 30 minutes after the device was first seen
        var offline = Assert.Single(h.Publisher.Alerts, a => a.RuleName == "offline");
        Assert.Equal(start + TimeSpan.FromMinutes(15), offline.At);
    }

    [Fact]
    public void A_reading_that_moves_a_deadline_later_is_honoured_and_one_that_starts_a_for_is_not_missed()
    {
        var h = new EngineHarness(Rules);
        h.Send("ems-1", ("co2", 500), ("temperature", 20));
        h.TickFor(TimeSpan.FromMinutes(10));
        h.Send("ems-1", ("co2", 500), ("temperature", 20)); // the staleness deadline moves from 15 to 25 minutes
        h.TickFor(TimeSpan.FromMinutes(6));
        Assert.Empty(h.Publisher.Alerts);
        h.Send("ems-1", ("co2", 500), ("temperature", 31)); // at 16 min: the for starts, due at 26 min
        var forStart = h.Time.GetUtcNow();
        h.TickFor(TimeSpan.FromMinutes(10));
        Assert.Equal(forStart + TimeSpan.FromMinutes(10), Assert.Single(h.Publisher.Alerts, a => a.RuleName == "hot").At);
        Assert.DoesNotContain(h.Publisher.Alerts, a => a.RuleName == "offline");
    }
}
