using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Rules.Engine;
using SmartCity.IoT.Rules.Tests.Support;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.Rules.Tests;

/// <summary>
/// After a crash the engine is restored from a checkpoint older than the alert outbox: alerts that fired after it are
/// unknown to the engine. <see cref="RuleEngine.Adopt"/> takes them over so they resolve through the normal lifecycle.
/// </summary>
public sealed class AdoptionTests
{
    private const string Rules = """
        rules:
          - name: co2_high
            expr: co2 > 1000
            clear: co2 < 900
          - name: pm_avg
            expr: avg(pm2_5, 15m) > 35
        """;

    private const string Note = "rule removed or changed while the gateway was down";

    [Fact]
    public void An_alert_that_fired_after_the_checkpoint_resolves_once_on_the_next_normal_reading()
    {
        var h = new EngineHarness(Rules);
        h.Send("ems-1", ("co2", 500));
        var checkpoint = Save(h);
        h.Advance(TimeSpan.FromMinutes(1));
        h.Send("ems-1", ("co2", 1500));
        var fired = Assert.Single(h.Publisher.Alerts);
        Assert.Equal(AlertStatus.Firing, fired.Status);
        h.Advance(TimeSpan.FromMinutes(1));

        // Without adoption the restored engine knows nothing of the alert: a normal reading resolves nothing.
        var unaware = Restore(h, checkpoint);
        unaware.Send("ems-1", ("co2", 800));
        Assert.Empty(unaware.Publisher.Alerts);

        var r = Restore(h, checkpoint);
        r.Engine.Adopt([OutboxFiring.Of(fired)]);
        Assert.Empty(r.Publisher.Alerts);
        Assert.Equal(RulePhase.Firing, r.Phase("co2_high", "ems-1"));
        var active = Assert.Single(r.Engine.ActiveAlerts());
        Assert.Equal((fired.Fingerprint, fired.StartsAt), (active.Fingerprint, active.Since));

        // Still above clear: the adopted episode continues, nothing re-fires.
        r.Send("ems-1", ("co2", 1200));
        Assert.Empty(r.Publisher.Alerts);

        r.Send("ems-1", ("co2", 800));
        var resolved = Assert.Single(r.Publisher.Alerts);
        Assert.Equal((AlertStatus.Resolved, fired.Fingerprint, fired.StartsAt), (resolved.Status, resolved.Fingerprint, resolved.StartsAt));
        Assert.Equal("co2_high", resolved.Labels["alertname"]);
        Assert.False(resolved.Annotations.ContainsKey("note"));

        r.Send("ems-1", ("co2", 700));
        Assert.Single(r.Publisher.Alerts);
    }

    [Fact]
    public void An_alert_of_a_device_not_seen_yet_waits_and_resolves_on_its_first_normal_reading()
    {
        var h = new EngineHarness(Rules);
        h.Send("ems-1", ("co2", 500));
        var checkpoint = Save(h); // ems-2 has never reported
        h.Send("ems-2", ("co2", 1500));
        var fired = Assert.Single(h.Publisher.Alerts);

        var r = Restore(h, checkpoint);
        r.Engine.Adopt([OutboxFiring.Of(fired)]);
        Assert.Empty(r.Publisher.Alerts);
        Assert.Equal(1, r.Engine.PendingAdoptions);
        Assert.Null(r.Phase("co2_high", "ems-2"));

        r.Send("ems-1", ("co2", 600)); // another device binding does not consume it
        Assert.Equal(1, r.Engine.PendingAdoptions);

        r.Send("ems-2", ("co2", 800));
        Assert.Equal(0, r.Engine.PendingAdoptions);
        var resolved = Assert.Single(r.Publisher.Alerts);
        Assert.Equal((AlertStatus.Resolved, fired.Fingerprint, "ems-2"), (resolved.Status, resolved.Fingerprint, resolved.DeviceId));
    }

    [Fact]
    public void An_adopted_alert_of_a_device_not_seen_yet_stays_firing_while_its_first_reading_is_still_high()
    {
        var h = new EngineHarness(Rules);
        var checkpoint = Save(h);
        h.Send("ems-2", ("co2", 1500));
        var fired = Assert.Single(h.Publisher.Alerts);

        var r = Restore(h, checkpoint);
        r.Engine.Adopt([OutboxFiring.Of(fired)]);
        r.Send("ems-2", ("co2", 1400));
        Assert.Empty(r.Publisher.Alerts);
        Assert.Equal(RulePhase.Firing, r.Phase("co2_high", "ems-2"));
        r.Send("ems-2", ("co2", 800));
        Assert.Equal(AlertStatus.Resolved, Assert.Single(r.Publisher.Alerts).Status);
    }

    [Fact]
    public void An_alert_of_a_removed_rule_resolves_once_with_a_note()
    {
        var h = new EngineHarness(Rules);
        h.Send("ems-1", ("co2", 500));
        var checkpoint = Save(h);
        h.Send("ems-1", ("co2", 1500));
        h.Send("ems-9", ("co2", 1500)); // a device the restored engine has never seen
        var fired = h.Publisher.Alerts.ToArray();
        Assert.Equal(2, fired.Length);

        var r = Restore(h, checkpoint, """
            rules:
              - name: pm_avg
                expr: avg(pm2_5, 15m) > 35
            """);
        r.Engine.Adopt([.. fired.Select(OutboxFiring.Of)]);
        Assert.Equal(0, r.Engine.PendingAdoptions);
        Assert.Equal(2, r.Publisher.Alerts.Count);
        foreach (var (before, after) in fired.Zip(r.Publisher.Alerts))
        {
            Assert.Equal((AlertStatus.Resolved, before.Fingerprint, before.DeviceId, before.StartsAt), (after.Status, after.Fingerprint, after.DeviceId, after.StartsAt));
            Assert.Equal(Note, after.Annotations["note"]);
            Assert.Equal("environment", after.Family);
        }

        r.Send("ems-1", ("co2", 1500));
        r.Send("ems-9", ("co2", 800));
        Assert.Equal(2, r.Publisher.Alerts.Count);
    }

    [Fact]
    public void An_alert_of_a_rule_that_no_longer_matches_the_device_resolves_with_a_note_when_the_device_is_bound()
    {
        var h = new EngineHarness(Rules);
        var checkpoint = Save(h);
        h.Send("ems-1", ("co2", 1500));
        var fired = Assert.Single(h.Publisher.Alerts);

        var r = Restore(h, checkpoint, """
            rules:
              - name: co2_high
                match: { family: parking }
                expr: co2 > 1000
            """);
        r.Engine.Adopt([OutboxFiring.Of(fired)]);
        Assert.Empty(r.Publisher.Alerts);
        r.Send("ems-1", ("co2", 1500));
        var resolved = Assert.Single(r.Publisher.Alerts);
        Assert.Equal((AlertStatus.Resolved, fired.Fingerprint), (resolved.Status, resolved.Fingerprint));
        Assert.Equal(Note, resolved.Annotations["note"]);
    }

    [Fact]
    public void An_alert_the_checkpoint_already_has_firing_is_left_as_it_is()
    {
        var h = new EngineHarness(Rules);
        h.Send("ems-1", ("co2", 1500));
        var fired = Assert.Single(h.Publisher.Alerts);
        var checkpoint = Save(h);

        var r = Restore(h, checkpoint);
        r.Engine.Adopt([OutboxFiring.Of(fired) with { Severity = AlertSeverity.Critical }]);
        Assert.Empty(r.Publisher.Alerts);
        Assert.Equal(fired.Severity, Assert.Single(r.Engine.ActiveAlerts()).Severity);
        r.Send("ems-1", ("co2", 800));
        Assert.Equal(AlertStatus.Resolved, Assert.Single(r.Publisher.Alerts).Status);
    }

    [Fact]
    public void Reconcile_ends_quietly_an_alert_the_checkpoint_has_firing_whose_resolve_the_outbox_already_holds()
    {
        var h = new EngineHarness(Rules);
        h.Send("ems-1", ("co2", 1500));
        var checkpoint = Save(h); // firing in the checkpoint...
        h.Send("ems-1", ("co2", 800)); // ...resolved (and committed) after it, then SIGKILL
        Assert.Equal([AlertStatus.Firing, AlertStatus.Resolved], h.Publisher.Alerts.Select(a => a.Status));

        var stale = Restore(h, checkpoint);
        stale.Engine.Adopt([]);
        Assert.Equal(RulePhase.Firing, stale.Phase("co2_high", "ems-1")); // Adopt alone keeps what receivers were told is over

        var r = Restore(h, checkpoint);
        r.Engine.Reconcile([], []);
        Assert.Empty(r.Publisher.Alerts);
        Assert.NotEqual(RulePhase.Firing, r.Phase("co2_high", "ems-1"));
        Assert.Empty(r.Engine.ActiveAlerts());
        r.Send("ems-1", ("co2", 700));
        Assert.Empty(r.Publisher.Alerts); // no second resolve

        r.Send("ems-1", ("co2", 1600)); // a new episode fires as usual
        Assert.Equal(AlertStatus.Firing, Assert.Single(r.Publisher.Alerts).Status);
    }

    [Fact]
    public void Reconcile_keeps_the_alerts_the_outbox_holds_and_ends_only_the_others()
    {
        var h = new EngineHarness(Rules);
        h.Send("ems-1", ("co2", 1500));
        h.Send("ems-2", ("co2", 1500));
        var checkpoint = Save(h);
        h.Send("ems-1", ("co2", 800)); // resolved after the checkpoint
        var stillFiring = h.Publisher.Alerts.Single(a => a.DeviceId == "ems-2");

        var r = Restore(h, checkpoint);
        r.Engine.Reconcile([OutboxFiring.Of(stillFiring)], []);
        Assert.Empty(r.Publisher.Alerts);
        Assert.Equal(RulePhase.Firing, r.Phase("co2_high", "ems-2"));
        Assert.NotEqual(RulePhase.Firing, r.Phase("co2_high", "ems-1"));
        r.Send("ems-2", ("co2", 800));
        var resolved = Assert.Single(r.Publisher.Alerts);
        Assert.Equal((AlertStatus.Resolved, "ems-2", stillFiring.StartsAt), (resolved.Status, resolved.DeviceId, resolved.StartsAt));
    }

    [Fact]
    public void A_redelivered_reading_the_checkpoint_already_reflects_is_not_evaluated_again()
    {
        var h = new EngineHarness(Rules);
        h.Send("ems-1", ("co2", 1500));
        var firedAt = h.Reading.TimestampNs;
        h.Advance(TimeSpan.FromSeconds(10));
        h.Send("ems-1", ("co2", 800));
        var resolvedAt = h.Reading.TimestampNs;
        var checkpoint = Save(h);

        var r = Restore(h, checkpoint);
        r.Engine.Reconcile([], []);
        r.Redeliver("ems-1", firedAt, ("co2", 1500)); // not acknowledged before the crash, so the broker sends both again
        r.Redeliver("ems-1", resolvedAt, ("co2", 800));
        Assert.Empty(r.Publisher.Alerts);
        Assert.Equal(2, r.Engine.ReplaysSkipped);

        // The same readings delivered afresh (not redeliveries) are evaluated as before: the skip is for replays only.
        r.Send("ems-1", ("co2", 1500));
        Assert.Equal(AlertStatus.Firing, Assert.Single(r.Publisher.Alerts).Status);
    }

    [Fact]
    public void Redelivered_readings_behind_transitions_committed_after_the_checkpoint_do_not_announce_the_episode_again()
    {
        var h = new EngineHarness(Rules);
        h.Send("ems-1", ("co2", 500));
        var checkpoint = Save(h);
        h.Advance(TimeSpan.FromSeconds(10));
        h.Send("ems-1", ("co2", 1500)); // fires and resolves after the checkpoint; both committed, readings not yet stored
        var firedAt = h.Reading.TimestampNs;
        h.Advance(TimeSpan.FromSeconds(10));
        h.Send("ems-1", ("co2", 800));
        var resolvedAt = h.Reading.TimestampNs;
        var committed = h.Publisher.Alerts.ToList();
        Assert.Equal([AlertStatus.Firing, AlertStatus.Resolved], committed.Select(a => a.Status));
        Assert.Equal(resolvedAt, committed[1].EvaluatedUpToNs);
        h.Advance(TimeSpan.FromSeconds(10));

        // Without the outbox's floor the older engine sees the replays as new: the episode is announced twice.
        var unaware = Restore(h, checkpoint);
        unaware.Engine.Reconcile([], []);
        unaware.Redeliver("ems-1", firedAt, ("co2", 1500));
        Assert.Equal(AlertStatus.Firing, Assert.Single(unaware.Publisher.Alerts).Status);

        var r = Restore(h, checkpoint);
        r.Engine.Reconcile([], [new ReplayFloor(r.Environment.Id, "ems-1", committed.Max(a => a.EvaluatedUpToNs))]);
        r.Redeliver("ems-1", firedAt, ("co2", 1500));
        r.Redeliver("ems-1", resolvedAt, ("co2", 800));
        Assert.Empty(r.Publisher.Alerts);

        r.Redeliver("ems-1", resolvedAt + 1_000_000_000, ("co2", 1600)); // newer than the floor: never evaluated before
        Assert.Equal(AlertStatus.Firing, Assert.Single(r.Publisher.Alerts).Status);
    }

    private static byte[] Save(EngineHarness h)
    {
        using var stream = new MemoryStream();
        h.Engine.SaveCheckpoint(stream);
        return stream.ToArray();
    }

    /// <summary>A restart after SIGKILL: new registry and engine, same clock, an older checkpoint restored.</summary>
    private static EngineHarness Restore(EngineHarness before, byte[] checkpoint, string? rules = null)
    {
        var after = new EngineHarness(rules ?? Rules, time: before.Time);
        after.Engine.RestoreCheckpoint(new MemoryStream(checkpoint));
        return after;
    }
}
