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
