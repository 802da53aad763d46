using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Rules.Engine;
using SmartCity.IoT.Rules.Tests.Support;

namespace SmartCity.IoT.Rules.Tests;

/// <summary>
/// Rule state that follows a stream partition from one instance to another: saved, restored (merged) and dropped per
/// partition, with the stream position it reflects, and the messages after a checkpoint replayed by the new owner.
/// </summary>
public sealed class PartitionStateTests
{
    private const string Rules = StatefulRules.Yaml;

    private static MemoryStream Save(EngineHarness h, int partition, out long position)
    {
        var stream = new MemoryStream();
        position = h.Engine.SavePartition(partition, stream);
        stream.Position = 0;
        return stream;
    }

    [Fact]
    public void A_partition_s_state_moves_alone_restore_merges_and_drop_publishes_nothing()
    {
        var old = new EngineHarness(Rules);
        old.SendFromStream("ems-1", 0, 10, ("co2", 1500), ("temperature", 35));
        old.SendFromStream("ems-2", 1, 11, ("co2", 1600));
        old.SendFromStream("ems-1", 0, 12, ("pm2_5", 50));
        Assert.Equal(2, old.Publisher.Alerts.Count(a => a.Status == AlertStatus.Firing && a.RuleName == "co2_high"));

        using var checkpoint = Save(old, 0, out var position);
        Assert.Equal(12, position);

        // The new owner already holds another partition's device; restoring partition 0 leaves it alone.
        var owner = new EngineHarness(Rules, time: old.Time);
        owner.SendFromStream("ems-3", 2, 13, ("co2", 1700));
        owner.Publisher.Clear();
        Assert.Equal(1, owner.Engine.RestorePartition(0, checkpoint));
        Assert.Empty(owner.Publisher.Alerts);
        Assert.Equal(RulePhase.Firing, owner.Phase("co2_high", "ems-1"));
        Assert.Equal(RulePhase.Pending, owner.Phase("hot", "ems-1"));
        Assert.Equal(RulePhase.Firing, owner.Phase("co2_high", "ems-3"));
        Assert.Null(owner.Phase("co2_high", "ems-2"));

        // The old owner gives partition 0 up: its devices go, quietly; partition 1 stays.
        old.Publisher.Clear();
        Assert.Equal(1, old.Engine.DropPartition(0));
        Assert.Empty(old.Publisher.Alerts);
        Assert.Null(old.Phase("co2_high", "ems-1"));
        Assert.Equal(RulePhase.Firing, old.Phase("co2_high", "ems-2"));

        // On the new owner the firing alert ends with one resolve of the same episode (same origin).
        owner.SendFromStream("ems-1", 0, 20, ("co2", 800));
        var resolved = Assert.Single(owner.Publisher.Alerts);
        Assert.Equal(AlertStatus.Resolved, resolved.Status);
        Assert.Equal(10, resolved.EpisodeOrigin);
    }

    [Fact]
    public void A_dropped_partition_fires_nothing_on_the_old_owner_while_its_other_partitions_keep_their_timers()
    {
        var old = new EngineHarness(Rules);
        old.SendFromStream("ems-1", 0, 5, ("temperature", 35));
        old.SendFromStream("ems-2", 1, 6, ("temperature", 35));
        old.Advance(TimeSpan.FromMinutes(4));

        Assert.Equal(1, old.Engine.DropPartition(0));
        old.TickFor(TimeSpan.FromMinutes(7));

        // The kept partition's for: fires (proof the timers ran); the dropped one's pending timer went with its device.
        var fired = Assert.Single(old.Publisher.Alerts);
        Assert.Equal(AlertStatus.Firing, fired.Status);
        Assert.Equal("ems-2", fired.DeviceId);
    }

    [Fact]
    public void A_for_timer_pending_on_the_old_owner_fires_at_pending_since_plus_for_on_the_new_owner()
    {
        var old = new EngineHarness(Rules);
        var pendingSince = old.Time.GetUtcNow();
        old.SendFromStream("ems-1", 0, 5, ("temperature", 35));
        old.Advance(TimeSpan.FromMinutes(4));
        using var checkpoint = Save(old, 0, out _);

        // The old owner dies; a minute later the new one takes over.
        old.Advance(TimeSpan.FromMinutes(1));
        var owner = new EngineHarness(Rules, time: old.Time);
        owner.Engine.RestorePartition(0, checkpoint);
        owner.TickFor(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        Assert.Empty(owner.Publisher.Alerts);

        owner.TickFor(TimeSpan.FromSeconds(1));
        var fired = Assert.Single(owner.Publisher.Alerts);
        Assert.Equal(AlertStatus.Firing, fired.Status);
        Assert.Equal(pendingSince + TimeSpan.FromMinutes(10), fired.StartsAt);
        Assert.Equal(5, fired.EpisodeOrigin); // the reading that made it pending, on whichever owner
    }

    [Fact]
    public void Replaying_what_came_after_the_checkpoint_makes_the_old_owner_s_transitions_again_with_their_identity_and_nothing_twice()
    {
        var old = new EngineHarness(Rules);
        old.SendFromStream("ems-1", 0, 1, ("co2", 700));
        using var checkpoint = Save(old, 0, out var position);
        var storedAt = old.Time.GetUtcNow() + TimeSpan.FromSeconds(2);
        old.Advance(TimeSpan.FromSeconds(2));
        old.SendFromStream("ems-1", 0, 2, ("co2", 1500)); // fired and committed, then the old owner dies
        var before = Assert.Single(old.Publisher.Alerts);

        old.Advance(TimeSpan.FromSeconds(8));
        var owner = new EngineHarness(Rules, time: old.Time);
        owner.Engine.RestorePartition(0, checkpoint);
        owner.ReplayFromStream("ems-1", 0, position, storedAt - TimeSpan.FromSeconds(2), ("co2", 700)); // at the checkpoint: skipped
        owner.ReplayFromStream("ems-1", 0, 2, storedAt, ("co2", 1500));
        var again = Assert.Single(owner.Publisher.Alerts);
        Assert.Equal((before.Fingerprint, before.Status, before.Severity, before.EpisodeOrigin), (again.Fingerprint, again.Status, again.Severity, again.EpisodeOrigin));
        Assert.Equal(storedAt, again.StartsAt); // the rule clock of a replay is when the stream stored the message

        // The consumer redelivers what the old owner had not acknowledged: the state reflects it, so it is not evaluated again.
        owner.SendFromStream("ems-1", 0, 2, redelivered: true, ("co2", 1500));
        owner.SendFromStream("ems-1", 0, 1, redelivered: true, ("co2", 700));
        Assert.Single(owner.Publisher.Alerts);
        Assert.Equal(3, owner.Engine.ReplaysSkipped); // with the replayed message the checkpoint already reflected

        owner.SendFromStream("ems-1", 0, 3, ("co2", 800));
        Assert.Equal([AlertStatus.Firing, AlertStatus.Resolved], owner.Publisher.Statuses);
        Assert.Equal(2, owner.Publisher.Alerts[1].EpisodeOrigin);
    }

    [Fact]
    public void A_for_that_began_after_the_checkpoint_keeps_its_start_from_the_replayed_message()
    {
        var old = new EngineHarness(Rules);
        old.SendFromStream("ems-1", 0, 1, ("temperature", 20));
        using var checkpoint = Save(old, 0, out _);
        old.Advance(TimeSpan.FromMinutes(1));
        var pendingSince = old.Time.GetUtcNow();
        old.SendFromStream("ems-1", 0, 2, ("temperature", 35));
        old.Advance(TimeSpan.FromMinutes(2)); // dies 2 minutes into the 10

        var owner = new EngineHarness(Rules, time: old.Time);
        owner.Engine.RestorePartition(0, checkpoint);
        owner.ReplayFromStream("ems-1", 0, 2, pendingSince, ("temperature", 35));
        Assert.Equal(RulePhase.Pending, owner.Phase("hot", "ems-1"));
        owner.TickFor(TimeSpan.FromMinutes(8) - TimeSpan.FromSeconds(1));
        Assert.Empty(owner.Publisher.Alerts);
        owner.TickFor(TimeSpan.FromSeconds(1));
        Assert.Equal(pendingSince + TimeSpan.FromMinutes(10), Assert.Single(owner.Publisher.Alerts).StartsAt);
    }

    [Fact]
    public void A_window_in_flight_moves_with_its_samples_and_replayed_samples_keep_their_stored_times()
    {
        var old = new EngineHarness(Rules);
        var t0 = old.Time.GetUtcNow();
        old.SendFromStream("ems-1", 0, 1, ("pm2_5", 30));
        old.Advance(TimeSpan.FromMinutes(5));
        using var checkpoint = Save(old, 0, out _);
        old.Advance(TimeSpan.FromMinutes(5));
        var storedAt = old.Time.GetUtcNow();
        old.SendFromStream("ems-1", 0, 2, ("pm2_5", 46)); // avg(30, 46) = 38 > 35: fires
        Assert.Equal(AlertStatus.Firing, Assert.Single(old.Publisher.Alerts).Status);

        old.Advance(TimeSpan.FromMinutes(1));
        var owner = new EngineHarness(Rules, time: old.Time);
        owner.Engine.RestorePartition(0, checkpoint);
        owner.ReplayFromStream("ems-1", 0, 2, storedAt, ("pm2_5", 46));
        Assert.Equal(AlertStatus.Firing, Assert.Single(owner.Publisher.Alerts).Status);

        // 15 minutes after the first sample it leaves the window: avg = 46 alone, still firing; then a low one resolves.
        owner.Time.SetUtcNow(t0 + TimeSpan.FromMinutes(16));
        owner.SendFromStream("ems-1", 0, 3, ("pm2_5", 10)); // avg(46, 10) = 28
        Assert.Equal([AlertStatus.Firing, AlertStatus.Resolved], owner.Publisher.Statuses);
    }
}
