using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Rules.Evaluation;

namespace SmartCity.IoT.Rules.Engine;

/// <summary>
/// What happens without a reading: device staleness (silence or an offline availability message), absent() rules, a
/// pending <c>for</c> that expires, <c>keep_firing_for</c> expiry, flapping holds that age out.
/// <para>
/// A tick looks only at the devices that have something due: those something happened to since the last tick (a
/// reading, an availability message, a reload: <see cref="Touched"/>) and those whose earliest deadline has come, kept
/// in a queue ordered by time (the silence limit of a staleness rule, the end of a pending <c>for</c> or of
/// <c>keep_firing_for</c>, the shortest absent() of a field last received). An estate that is quiet costs nothing but
/// the devices that can actually go stale, once each per silence limit. A device's deadline is a lower bound: looking at
/// a device early changes nothing, so a reading that moves a deadline later leaves its queue entry to come and be
/// re-scheduled. absent() rules with windows are looked at every tick (their windows age with time).
/// </para>
/// A rule that throws is recorded in <see cref="RuleFailures"/>; the other rules and devices still tick.
/// </summary>
internal sealed class RuleTimers(RuleLifecycle lifecycle, RuleFailures failures, double[] noValues)
{
    private readonly PriorityQueue<DeviceSlot, long> _queue = new();
    private List<DeviceSlot> _dirty = [];
    private List<DeviceSlot> _ticking = [];

    /// <summary>Devices waiting in the deadline queue, stale entries included (tests, diagnostics).</summary>
    public int Queued => _queue.Count;

    /// <summary>Devices looked at by the last <see cref="Tick"/> (tests, diagnostics).</summary>
    public int LastTicked { get; private set; }

    /// <summary>Something happened to the device (a reading, an availability message): the next tick looks at it.</summary>
    public void Touched(DeviceSlot slot)
    {
        if (!slot.TimersDirty)
        {
            slot.TimersDirty = true;
            _dirty.Add(slot);
        }
    }

    /// <summary>Every device's rules or states were replaced (a reload, a restore, adopted alerts).</summary>
    public void TouchAll(List<DeviceSlot> slots)
    {
        foreach (var slot in slots)
        {
            Touched(slot);
        }
    }

    /// <summary>Forgets every device (a checkpoint replaces them all, or a partition's devices were replaced or dropped).</summary>
    public void Clear()
    {
        // Slots that stay must be queued again by the next Touched: their marks would otherwise keep them out.
        foreach (var slot in _dirty)
        {
            slot.TimersDirty = false;
        }

        foreach (var (slot, _) in _queue.UnorderedItems)
        {
            slot.QueuedDueNs = long.MaxValue;
        }

        _queue.Clear();
        _dirty.Clear();
    }

    public void Tick(long now)
    {
        var ticked = 0;
        // Swap the lists: a device touched while ticking (a publish that calls back) waits for the next tick.
        (_ticking, _dirty) = (_dirty, _ticking);
        foreach (var slot in _ticking)
        {
            slot.TimersDirty = false;
            TickSlot(slot, now);
            Schedule(slot, now);
            ticked++;
        }

        _ticking.Clear();
        while (_queue.TryPeek(out var slot, out var due) && due <= now)
        {
            _queue.Dequeue();
            if (due != slot.QueuedDueNs)
            {
                continue; // superseded by an earlier entry of the same device, which was handled
            }

            slot.QueuedDueNs = long.MaxValue;
            TickSlot(slot, now);
            Schedule(slot, now);
            ticked++;
        }

        LastTicked = ticked;
    }

    private void Schedule(DeviceSlot slot, long now)
    {
        var due = NextDue(slot, now);
        if (due < slot.QueuedDueNs)
        {
            slot.QueuedDueNs = due;
            _queue.Enqueue(slot, due);
        }
    }

    /// <summary>The earliest time anything of the device's timers can change (a lower bound), or <see cref="long.MaxValue"/>.</summary>
    private static long NextDue(DeviceSlot slot, long now)
    {
        var due = long.MaxValue;
        foreach (var state in slot.Staleness)
        {
            if (state.Phase != RulePhase.Firing)
            {
                due = Math.Min(due, SaturatingAdd(slot.LastReceivedNs, state.Rule.AfterNs));
            }
        }

        var thresholds = slot.Thresholds;
        for (var s = 0; s < thresholds.Length; s++)
        {
            var state = thresholds[s];
            var rule = state.Rule;
            if (state.Phase == RulePhase.Pending && state.LastFire == 1)
            {
                due = Math.Min(due, SaturatingAdd(state.PendingSinceNs, rule.ForNs));
            }
            else if (state.Phase == RulePhase.Firing && state.ClearSinceNs != 0)
            {
                due = Math.Min(due, SaturatingAdd(state.ClearSinceNs, rule.KeepFiringForNs));
            }

            if (rule.HasAbsent)
            {
                due = Math.Min(due, AbsentDue(slot, s, rule, now));
            }

            if (rule.Schedule is not null && state.Phase is RulePhase.Pending or RulePhase.Firing)
            {
                due = now; // a schedule boundary ends it without any reading: every tick while it is active
            }
        }

        // Due now means the next tick: a deadline that is still due after this tick (a flapping hold) is looked at again then.
        return due == long.MaxValue ? due : Math.Max(due, now + 1);
    }

    private static long AbsentDue(DeviceSlot slot, int s, Compilation.CompiledRule rule, long now)
    {
        if (rule.Windows.Length > 0 || rule.ShortestAbsentNs <= 0 || slot.Group?.Lanes[s] is not { } lane)
        {
            return now; // windows age with time, or nothing to go by: every tick
        }

        var seen = long.MaxValue;
        for (var i = 0; i < lane.AbsentFields; i++)
        {
            seen = Math.Min(seen, lane.AbsentSeen(i, slot.Member));
        }

        return seen == long.MaxValue ? now : SaturatingAdd(seen, rule.ShortestAbsentNs);
    }

    private static long SaturatingAdd(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;

    private void TickSlot(DeviceSlot slot, long now)
    {
        TickStaleness(slot, now);
        var latest = slot.Device?.Latest ?? noValues;
        var thresholds = slot.Thresholds;
        for (var s = 0; s < thresholds.Length; s++)
        {
            var state = thresholds[s];
            var rule = state.Rule;
            try
            {
                if (rule.HasAbsent || (rule.Schedule is not null && state.Phase is RulePhase.Pending or RulePhase.Firing))
                {
                    // absent() and schedule boundaries change the outcome without any reading.
                    var ctx = slot.Context(s, latest, now);
                    var fire = rule.EvaluateLevels(ctx, out var level);
                    lifecycle.Step(slot, state, ctx, fire, level);
                }
                else if (state.Phase == RulePhase.Pending && state.LastFire == 1 && now - state.PendingSinceNs >= rule.ForNs)
                {
                    // After a restart the device's values are unknown until it reports: the value kept while pending stands.
                    state.LastValue = RuleLifecycle.KnownOr(rule.ValueOf(state.LevelIndex, slot.Context(s, latest, now)), state.LastValue);
                    lifecycle.Fire(slot, state, now);
                }
                else if (state.Phase == RulePhase.Firing && state.ClearSinceNs != 0 && now - state.ClearSinceNs >= rule.KeepFiringForNs)
                {
                    lifecycle.TryResolve(slot, state, now, "", rule.ValueOf(state.LevelIndex, slot.Context(s, latest, now)));
                }

                SlotMasks.Update(slot, s);
            }
            catch (Exception ex)
            {
                failures.Record(rule, slot, ex, now);
            }
        }
    }

    /// <summary>
    /// The device's availability topic said something (its new state is in <c>Device.Availability</c>). Online and
    /// sleeping are messages from a live device: its staleness clock restarts and firing staleness alerts resolve (a
    /// sleeping device that stays silent past the rule's <c>after</c> still goes stale: a flat battery sleeps forever).
    /// Offline fires staleness on the next tick; an unknown state changes nothing.
    /// </summary>
    public void Availability(DeviceSlot slot, long now)
    {
        if (slot.Device is not { Availability: DeviceAvailability.Online or DeviceAvailability.Sleeping })
        {
            return;
        }

        var silentSince = slot.LastReceivedNs;
        slot.LastReceivedNs = now;
        slot.OfflineLatched = false;
        if (slot.StaleFiring > 0)
        {
            lifecycle.ResolveStale(slot, silentSince, now);
        }
    }

    private void TickStaleness(DeviceSlot slot, long now)
    {
        if (slot.OfflineLatched && slot.Device is { Availability: DeviceAvailability.Online or DeviceAvailability.Sleeping })
        {
            Availability(slot, now); // reported online again since the offline that fired
        }

        var offline = slot.Device is { Availability: DeviceAvailability.Offline } && !slot.OfflineLatched;
        foreach (var state in slot.Staleness)
        {
            var age = now - slot.LastReceivedNs;
            if (offline)
            {
                slot.OfflineLatched = true;
            }

            if (state.Phase != RulePhase.Firing && (age >= state.Rule.AfterNs || offline))
            {
                try
                {
                    state.LevelIndex = 0;
                    state.Severity = state.Rule.Definition.Severity;
                    state.LastValue = age / 1e9;
                    slot.StaleFiring++; // first: Fire sets the phase before it publishes, which may fail
                    lifecycle.Fire(slot, state, now);
                }
                catch (Exception ex)
                {
                    failures.Record(state.Rule, slot, ex, now);
                }
            }
        }
    }
}
