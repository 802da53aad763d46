using SmartCity.IoT.Rules.Evaluation;

namespace SmartCity.IoT.Rules.Engine;

/// <summary>
/// Keeps a device's skip hints in step with its states' phases: <see cref="DeviceSlot.QuietMask"/>,
/// <see cref="DeviceSlot.IdleMask"/> and the rule group's steady levels (see <see cref="RuleGroup.SteadyLevels"/>).
/// </summary>
internal static class SlotMasks
{
    /// <summary>
    /// A (rule, device) is quiet when its rule keeps no per-device samples or timers that a reading must update
    /// (no windows, no absent()) and it is inactive or resolved: then a reading whose firing condition does not hold
    /// changes nothing (see <see cref="RuleLifecycle.Step"/>), and the engine need not read its state.
    /// </summary>
    public static bool IsQuiet(RuleState state) =>
        state.Phase is RulePhase.Inactive or RulePhase.Resolved && state.Rule.Windows.Length == 0 && state.Rule.AbsentFields.Length == 0;

    /// <summary>Recomputes the hints of state <paramref name="s"/> after it may have changed phase.</summary>
    public static void Update(DeviceSlot slot, int s)
    {
        if (slot.Group is { } group)
        {
            ref var level = ref group.SteadyLevels(slot.Member)[s];
            var now = SteadyLevel(slot.Thresholds[s]);
            if (level != now)
            {
                level = now;
            }
        }

        if (s >= 64)
        {
            return; // states beyond 64 are never quiet: the mask has no bit for them
        }

        var bit = 1UL << s;
        var state = slot.Thresholds[s];
        var mask = IsQuiet(state) ? slot.QuietMask | bit : slot.QuietMask & ~bit;
        if (mask != slot.QuietMask)
        {
            slot.QuietMask = mask; // written only on a change: steady readings leave the slot's line clean
        }

        var idle = state.Phase is RulePhase.Inactive or RulePhase.Resolved ? slot.IdleMask | bit : slot.IdleMask & ~bit;
        if (idle != slot.IdleMask)
        {
            slot.IdleMask = idle;
        }
    }

    /// <summary>Recomputes every hint of the device (after binding or restore).</summary>
    public static void Recompute(DeviceSlot slot)
    {
        ulong mask = 0;
        ulong idle = 0;
        var states = slot.Thresholds;
        for (var s = 0; s < states.Length && s < 64; s++)
        {
            if (IsQuiet(states[s]))
            {
                mask |= 1UL << s;
            }

            if (states[s].Phase is RulePhase.Inactive or RulePhase.Resolved)
            {
                idle |= 1UL << s;
            }
        }

        slot.QuietMask = mask;
        slot.IdleMask = idle;
        if (slot.Group is { } group)
        {
            var levels = group.SteadyLevels(slot.Member);
            for (var s = 0; s < states.Length; s++)
            {
                levels[s] = SteadyLevel(states[s]);
            }
        }
    }

    private static byte SteadyLevel(RuleState state) =>
        state.Phase == RulePhase.Firing && state.ClearSinceNs == 0 && (uint)state.LevelIndex < RuleGroup.NotSteady ? (byte)state.LevelIndex : RuleGroup.NotSteady;
}
