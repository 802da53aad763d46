using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Rules.Evaluation;

namespace SmartCity.IoT.Rules.Engine;

/// <summary>
/// What happens without a reading, once per tick: device staleness (silence or an offline availability message),
/// absent() rules, a pending <c>for</c> that expires, <c>keep_firing_for</c> expiry, flapping holds that age out.
/// A rule that throws is recorded in <see cref="RuleFailures"/>; the other rules and devices still tick.
/// </summary>
internal sealed class RuleTimers(RuleLifecycle lifecycle, RuleFailures failures, double[] noValues)
{
    /// <summary>A <see cref="List{T}"/>, not an interface: its enumerator is a struct, so a tick allocates nothing.</summary>
    public void Tick(List<DeviceSlot> slots, long now)
    {
        foreach (var slot in slots)
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
