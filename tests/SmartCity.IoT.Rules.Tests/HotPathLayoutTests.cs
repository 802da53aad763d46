using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Rules.Engine;
using SmartCity.IoT.Rules.Evaluation;
using SmartCity.IoT.Rules.Loading;
using SmartCity.IoT.Rules.Model;
using SmartCity.IoT.Rules.Tests.Support;

namespace SmartCity.IoT.Rules.Tests;

/// <summary>
/// The engine skips the state of quiet (rule, device) pairs and allocates states out of rule order (performance, issue 4):
/// these tests pin down that neither changes behaviour.
/// </summary>
public sealed class HotPathLayoutTests
{
    // Quiet rules (no windows, no absent()) interleaved with rules that read their state on every reading.
    private const string Mixed = """
        rules:
          - name: hot
            expr: temperature > 28
            for: 1m
          - name: avg_pm
            expr: avg(pm2_5, 5m) > 35
          - name: co2
            expr: co2 > 1000
            clear: co2 < 900
          - name: silent
            expr: absent(tvoc, 10m)
          - name: humid
            expr: humidity > 80
        """;

    [Fact]
    public void Quiet_rules_fire_wait_for_their_hold_time_resolve_and_fire_again()
    {
        var h = new EngineHarness(Mixed);
        h.Send("ems-1", ("co2", 800), ("temperature", 21), ("humidity", 50), ("pm2_5", 10), ("tvoc", 100));
        Assert.Empty(h.Publisher.Alerts);

        h.Send("ems-1", ("co2", 1200));
        Assert.Equal(("co2", AlertStatus.Firing), (h.Publisher.Alerts[^1].RuleName, h.Publisher.Alerts[^1].Status));
        h.Send("ems-1", ("co2", 950)); // firing, inside the hysteresis band: the state is read again
        Assert.Single(h.Publisher.Alerts);
        h.Send("ems-1", ("co2", 850));
        Assert.Equal(("co2", AlertStatus.Resolved), (h.Publisher.Alerts[^1].RuleName, h.Publisher.Alerts[^1].Status));
        h.Send("ems-1", ("co2", 1300)); // resolved is quiet again, and fires again
        Assert.Equal(("co2", AlertStatus.Firing), (h.Publisher.Alerts[^1].RuleName, h.Publisher.Alerts[^1].Status));
        Assert.Equal(3, h.Publisher.Alerts.Count);

        // A quiet rule with 'for' goes pending on a reading and fires from the timer, without another reading.
        h.Send("ems-1", ("temperature", 30));
        Assert.Equal(RulePhase.Pending, h.Phase("hot", "ems-1"));
        h.TickFor(TimeSpan.FromSeconds(61));
        Assert.Equal(("hot", AlertStatus.Firing), (h.Publisher.Alerts[^1].RuleName, h.Publisher.Alerts[^1].Status));

        // A pending that stops holding goes back to inactive and is quiet: it can go pending again.
        h.Send("ems-1", ("humidity", 90));
        Assert.Equal(("humid", AlertStatus.Firing), (h.Publisher.Alerts[^1].RuleName, h.Publisher.Alerts[^1].Status));
        h.Send("ems-1", ("temperature", 20));
        h.Advance(TimeSpan.FromMinutes(2));
        h.Send("ems-1", ("temperature", 20));
        Assert.Equal(("hot", AlertStatus.Resolved), (h.Publisher.Alerts[^1].RuleName, h.Publisher.Alerts[^1].Status));
        h.Send("ems-1", ("temperature", 31));
        Assert.Equal(RulePhase.Pending, h.Phase("hot", "ems-1"));
    }

    [Fact]
    public void Window_and_absent_rules_keep_their_samples_while_quiet_rules_around_them_are_skipped()
    {
        var h = new EngineHarness(Mixed);
        for (var i = 0; i < 5; i++)
        {
            h.Send("ems-1", ("pm2_5", 30), ("co2", 500), ("tvoc", 100));
            h.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.Empty(h.Publisher.Alerts);
        h.Send("ems-1", ("pm2_5", 70)); // samples 30,30,30,30,70 in (now-5m, now]: avg 38
        var pm = Assert.Single(h.Publisher.Alerts);
        Assert.Equal(("avg_pm", 38.0), (pm.RuleName, Math.Round(pm.Value, 9)));

        h.Advance(TimeSpan.FromMinutes(10));
        h.Send("ems-1", ("co2", 500)); // tvoc last seen more than 10 minutes ago
        Assert.Equal(("silent", AlertStatus.Firing), (h.Publisher.Alerts[^1].RuleName, h.Publisher.Alerts[^1].Status));
    }

    [Fact]
    public void Quiet_states_survive_reload_and_checkpoint_restore()
    {
        var h = new EngineHarness(Mixed);
        h.Send("ems-1", ("co2", 500), ("humidity", 50), ("tvoc", 1));
        h.Send("ems-2", ("co2", 1200), ("tvoc", 1));
        Assert.Single(h.Publisher.Alerts);

        h.Engine.Reload(RuleLoader.LoadText(Mixed, "test.yaml", h.Vocabulary));
        h.Send("ems-1", ("co2", 1100));
        Assert.Equal(("ems-1", AlertStatus.Firing), (h.Publisher.Alerts[^1].DeviceId, h.Publisher.Alerts[^1].Status));
        h.Send("ems-2", ("co2", 850));
        Assert.Equal(("ems-2", AlertStatus.Resolved), (h.Publisher.Alerts[^1].DeviceId, h.Publisher.Alerts[^1].Status));

        using var checkpoint = new MemoryStream();
        h.Engine.SaveCheckpoint(checkpoint);
        checkpoint.Position = 0;
        var restored = new RuleEngine(h.Rules, h.Vocabulary, h.Registry, h.Publisher, h.Time, new RuleEngineOptions { DefaultFlapping = FlappingPolicy.Disabled });
        restored.RestoreCheckpoint(checkpoint);
        h.Engine = restored;
        var before = h.Publisher.Alerts.Count;
        h.Send("ems-1", ("co2", 1150)); // still firing after the restore: nothing new
        Assert.Equal(before, h.Publisher.Alerts.Count);
        h.Send("ems-2", ("humidity", 95)); // a quiet, resolved-elsewhere device fires a quiet rule after the restore
        Assert.Equal(("humid", "ems-2"), (h.Publisher.Alerts[^1].RuleName, h.Publisher.Alerts[^1].DeviceId));
        h.Send("ems-1", ("co2", 850));
        Assert.Equal(("co2", AlertStatus.Resolved), (h.Publisher.Alerts[^1].RuleName, h.Publisher.Alerts[^1].Status));
    }

    [Fact]
    public void More_than_64_rules_on_one_device_all_evaluate()
    {
        var yaml = "rules:\n" + string.Concat(Enumerable.Range(0, 70).Select(i => $"  - name: r{i:D2}\n    expr: co2 > {1000 + i}\n"));
        var h = new EngineHarness(yaml);
        h.Send("ems-1", ("co2", 500));
        h.Send("ems-1", ("co2", 1100));
        Assert.Equal(70, h.Publisher.Alerts.Count);
        Assert.Equal(Enumerable.Range(0, 70).Select(i => $"r{i:D2}"), h.Publisher.Alerts.Select(a => a.RuleName));
    }

    [Theory]
    [InlineData(2, 64)] // starts inside the member's block, grows inside it, then moves to an array of its own
    [InlineData(16, 16)] // stays inside the block, dropping the oldest
    [InlineData(32, 64)] // starts in an array of its own
    public void Window_ring_matches_a_plain_list_across_growth_and_wraparound(int initial, int max)
    {
        var w = new WindowBuffer(initial, max);
        var expected = new List<(long Time, double Value)>();
        var random = new Random(7);
        long t = 0;
        for (var step = 0; step < 2_000; step++)
        {
            t++;
            var v = Math.Round(random.NextDouble() * 100, 3);
            w.Add(t, v);
            expected.Add((t, v));
            if (expected.Count > w.MaxCapacity)
            {
                expected.RemoveAt(0);
            }

            if (step % 7 == 0)
            {
                // Evict a varying amount so head and tail wrap at every capacity.
                var cutoff = t - random.Next(1, 40);
                w.Evict(cutoff);
                expected.RemoveAll(s => s.Time <= cutoff);
            }

            Assert.Equal(expected, w.Samples().ToList());
            Assert.Equal(expected.Count, w.Count);
            Assert.Equal(expected.Sum(s => s.Value), w.Sum(), 6);
            if (expected.Count > 0)
            {
                Assert.Equal((expected[0], expected[^1]), (w.Oldest, w.Newest));
                Assert.Equal((expected.Min(s => s.Value), expected.Max(s => s.Value)), (w.Min(), w.Max()));
            }
        }
    }
}
