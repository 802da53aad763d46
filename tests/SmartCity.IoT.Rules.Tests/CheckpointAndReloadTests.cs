using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Core.Loading;
using SmartCity.IoT.Rules.Engine;
using SmartCity.IoT.Rules.Loading;
using SmartCity.IoT.Rules.Model;
using SmartCity.IoT.Rules.Tests.Support;

namespace SmartCity.IoT.Rules.Tests;

public sealed class CheckpointAndReloadTests
{
    private const string Rules = StatefulRules.WithStaleness;

    /// <summary>Simulates a gateway restart: new registry (new device numbering), new engine, same clock, restored checkpoint.</summary>
    private static EngineHarness Restart(EngineHarness before, string? rules = null)
    {
        using var checkpoint = new MemoryStream();
        before.Engine.SaveCheckpoint(checkpoint);
        var after = new EngineHarness(rules ?? Rules, time: before.Time);
        // A different device is registered first, so registry indexes differ from the previous run.
        after.Send("other-device", ("humidity", 40));
        checkpoint.Position = 0;
        after.Engine.RestoreCheckpoint(checkpoint);
        return after;
    }

    [Fact]
    public void A_restart_neither_loses_nor_refires_a_firing_alert_and_keeps_pending_timers_and_windows()
    {
        var h = new EngineHarness(Rules);
        h.Send("ems-1", ("co2", 1500), ("temperature", 35), ("pm2_5", 50));
        h.Send("ems-2", ("pm2_5", 30));
        h.Advance(TimeSpan.FromMinutes(6));
        var firing = h.Publisher.Alerts.Where(a => a.Status == AlertStatus.Firing).Select(a => a.RuleName).Order().ToArray();
        Assert.Equal(["co2_high", "pm_avg"], firing);

        var r = Restart(h);
        Assert.Empty(r.Publisher.Alerts);
        Assert.Equal(RulePhase.Firing, r.Phase("co2_high", "ems-1"));
        Assert.Equal(RulePhase.Pending, r.Phase("hot", "ems-1"));
        Assert.Equal(3, r.Engine.ActiveAlerts().Count(a => a.DeviceId == "ems-1"));

        // Still above clear: no re-fire. The pending `for` continues from its original start (6 of 10 minutes passed).
        r.Send("ems-1", ("co2", 950), ("temperature", 35));
        Assert.Empty(r.Publisher.Alerts);
        r.TickFor(TimeSpan.FromMinutes(4));
        var hot = Assert.Single(r.Publisher.Alerts);
        Assert.Equal(("hot", AlertStatus.Firing), (hot.RuleName, hot.Status));
        Assert.Equal(h.Time.GetUtcNow(), hot.At);

        // Window contents survived: ems-2's earlier 30 plus 44 average 37 > 35.
        r.Send("ems-2", ("pm2_5", 44));
        Assert.Equal(37, r.Publisher.Alerts.Single(a => a.DeviceId == "ems-2").Value, 9);

        // The restored alert resolves with its original identity and start time.
        var originalCo2 = h.Publisher.Alerts.Single(a => a.RuleName == "co2_high");
        r.Send("ems-1", ("co2", 800));
        var resolved = r.Publisher.Alerts.Single(a => a.RuleName == "co2_high");
        Assert.Equal((AlertStatus.Resolved, originalCo2.Fingerprint, originalCo2.StartsAt), (resolved.Status, resolved.Fingerprint, resolved.StartsAt));
        Assert.Equal("co2_high", resolved.Labels["alertname"]);
    }

    [Fact]
    public void A_device_that_never_returns_after_a_restart_still_goes_stale()
    {
        var h = new EngineHarness(Rules);
        h.Send("ems-gone", ("co2", 500));
        h.Advance(TimeSpan.FromMinutes(20));
        var r = Restart(h);
        r.TickFor(TimeSpan.FromMinutes(10));
        var alert = Assert.Single(r.Publisher.Alerts, a => a.DeviceId == "ems-gone");
        Assert.Equal(("offline", AlertStatus.Firing), (alert.RuleName, alert.Status));
        Assert.Equal(1800, alert.Value, 0);
    }

    [Fact]
    public void Restoring_with_a_rule_removed_while_down_resolves_its_alert_and_garbage_is_rejected()
    {
        var h = new EngineHarness(Rules);
        h.Send("ems-1", ("co2", 1500));
        var r = Restart(h, "rules:\n  - name: hot\n    expr: temperature > 30\n");
        var resolved = Assert.Single(r.Publisher.Alerts);
        Assert.Equal(("co2_high", AlertStatus.Resolved), (resolved.RuleName, resolved.Status));
        Assert.Contains("removed", resolved.Annotations["note"]);

        Assert.Throws<InvalidDataException>(() => r.Engine.RestoreCheckpoint(new MemoryStream([1, 2, 3, 4, 5, 6, 7, 8])));
        using var truncated = new MemoryStream();
        h.Engine.SaveCheckpoint(truncated);
        Assert.Throws<InvalidDataException>(() => r.Engine.RestoreCheckpoint(new MemoryStream(truncated.ToArray()[..(int)(truncated.Length - 6)])));
    }

    [Fact]
    public void Reload_keeps_state_of_unchanged_rules_carries_firing_of_changed_ones_and_resolves_removed_ones()
    {
        var h = new EngineHarness(Rules);
        h.Send("ems-1", ("co2", 1500), ("temperature", 35), ("pm2_5", 30));
        h.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(["co2_high"], h.Publisher.Alerts.Select(a => a.RuleName));

        var changed = """
            rules:
              - name: co2_high
                expr: co2 > 1200
                clear: co2 < 1100
              - name: hot
                expr: temperature > 30
                for: 10m
              - name: pm_avg
                expr: avg(pm2_5, 15m) > 35
              - name: new_rule
                expr: humidity > 80
            """;
        h.Engine.Reload(RuleLoader.LoadText(changed, "changed.yaml", h.Vocabulary));
        Assert.Equal(4, h.Engine.RuleCount);
        Assert.Single(h.Publisher.Alerts); // nothing resolved or re-fired by the reload
        Assert.Equal(RulePhase.Firing, h.Phase("co2_high", "ems-1"));
        Assert.Equal(RulePhase.Pending, h.Phase("hot", "ems-1"));

        h.TickFor(TimeSpan.FromMinutes(5)); // unchanged `hot` kept its pending start
        Assert.Equal("hot", h.Publisher.Alerts[^1].RuleName);
        h.Send("ems-1", ("pm2_5", 41)); // unchanged window kept its 30: avg 35.5
        Assert.Equal(("pm_avg", 35.5), (h.Publisher.Alerts[^1].RuleName, h.Publisher.Alerts[^1].Value));

        // The changed rule applies its new clear threshold to the carried alert.
        h.Send("ems-1", ("co2", 1150));
        Assert.Equal(RulePhase.Firing, h.Phase("co2_high", "ems-1"));
        h.Send("ems-1", ("co2", 1050));
        Assert.Equal(("co2_high", AlertStatus.Resolved), (h.Publisher.Alerts[^1].RuleName, h.Publisher.Alerts[^1].Status));
        Assert.Equal(h.Publisher.Alerts[0].Fingerprint, h.Publisher.Alerts[^1].Fingerprint);

        var count = h.Publisher.Alerts.Count;
        h.Engine.Reload(RuleLoader.LoadText("rules:\n  - name: co2_high\n    expr: co2 > 1200\n", "x.yaml", h.Vocabulary));
        var removed = h.Publisher.Alerts.Skip(count).ToList();
        Assert.Equal(["hot", "pm_avg"], removed.Select(a => a.RuleName).Order());
        Assert.All(removed, a => Assert.Equal(AlertStatus.Resolved, a.Status));
    }

    [Fact]
    public void Watcher_reloads_on_change_and_reports_a_bad_file_with_position_while_old_rules_keep_running()
    {
        var dir = Directory.CreateTempSubdirectory("rules-watch-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "a.yaml"), "rules:\n  - name: a\n    expr: co2 > 1000\n");
            var h = new EngineHarness("rules: []\n");
            h.Engine.Reload(RuleLoader.LoadDirectory(dir.FullName, h.Vocabulary));
            var loaded = new System.Collections.Concurrent.BlockingCollection<object>();
            using var watcher = new RuleDirectoryWatcher(dir.FullName, h.Vocabulary, rules => loaded.Add(rules), errors => loaded.Add(errors), TimeSpan.FromMilliseconds(100));

            File.WriteAllText(Path.Combine(dir.FullName, "a.yaml"), "rules:\n  - name: a\n    expr: co2 > 1000\n  - name: b\n    expr: co2 >> 3\n");
            Assert.True(loaded.TryTake(out var first, TimeSpan.FromSeconds(20)), "no reload after a file change");
            var errors = Assert.IsAssignableFrom<IReadOnlyList<Diagnostic>>(first);
            var error = Assert.Single(errors);
            Assert.Equal((5, 16), (error.Line, error.Column));
            Assert.EndsWith("a.yaml", error.File);
            Assert.Equal(1, h.Engine.RuleCount); // the host keeps the old rules

            File.WriteAllText(Path.Combine(dir.FullName, "b.yaml"), "rules:\n  - name: b\n    expr: co2 > 3\n");
            File.WriteAllText(Path.Combine(dir.FullName, "a.yaml"), "rules:\n  - name: a\n    expr: co2 > 1000\n");
            RuleSet? next = null;
            while (next is null && loaded.TryTake(out var item, TimeSpan.FromSeconds(20)))
            {
                next = item as RuleSet is { Count: 2 } set ? set : null;
            }

            Assert.NotNull(next);
            h.Engine.Reload(next);
            Assert.Equal(2, h.Engine.RuleCount);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
