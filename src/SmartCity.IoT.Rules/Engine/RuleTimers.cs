using SmartCity.IoT.Rules.Evaluation;

namespace SmartCity.IoT.Rules.Engine;

/// <summary>
/// What happens without a reading, once per tick: device staleness (silence or an offline availability message),
/// absent() rules, a pending <c>for</c> that expires, <c>keep_firing_for</c> expiry, flapping holds that age out.
/// </summary>
internal sealed class RuleTimers(RuleLifecycle lifecycle, double[] noValues)
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
                if (rule.HasAbsent)
                {
                    var ctx = slot.Context(s, latest, now);
                    var fire = rule.EvaluateLevels(ctx, out var level);
                    lifecycle.Step(slot, state, ctx, fire, level);
                }
                else if (state.Phase == RulePhase.Pending && state.LastFire == 1 && now - state.PendingSinceNs >= rule.ForNs)
                {
                    state.LastValue = rule.ValueOf(state.LevelIndex, slot.Context(s, latest, now));
                    lifecycle.Fire(slot, state, now);
                }
                else if (state.Phase == RulePhase.Firing && state.ClearSinceNs != 0 && now - state.ClearSinceNs >= rule.KeepFiringForNs)
                {
                    state.LastValue = rule.ValueOf(state.LevelIndex, slot.Context(s, latest, now));
                    lifecycle.TryResolve(slot, state, now, "");
                }

                SlotMasks.Update(slot, s);
            }
        }
    }

    private void TickStaleness(DeviceSlot slot, long now)
    {
        var offline = slot.Device is { Online: false } && !slot.OfflineLatched;
        if (slot.Device is { Online: true })
        {
            slot.OfflineLatched = false;
        }

        foreach (var state in slot.Staleness)
        {
            var age = now - slot.LastReceivedNs;
            if (offline)
            {
                slot.OfflineLatched = true;
            }

            if (state.Phase != RulePhase.Firing && (age >= state.Rule.AfterNs || offline))
            {
                state.LevelIndex = 0;
                state.Severity = state.Rule.Definition.Severity;
                state.LastValue = age / 1e9;
                lifecycle.Fire(slot, state, now);
                slot.StaleFiring++;
            }
        }
    }
}
