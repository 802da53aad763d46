using SmartCity.IoT.Rules.Evaluation;

namespace SmartCity.IoT.Rules.Engine;

/// <summary>
/// Keeps a device's skip hints in step with its states' phases: the quiet and idle masks and the steady levels in its
/// rule group's member block (see <see cref="RuleGroup.Masks"/> and <see cref="RuleGroup.SteadyLevels"/>).
/// </summary>
internal static class SlotMasks
{
    /// <summary>
    /// A (rule, device) is quiet when its rule keeps no per-device samples or timers that a reading must update
    /// (no windows, no absent()) and it is inactive or resolved: then a reading whose firing condition does not hold
    /// changes nothing (see <see cref="RuleLifecycle.Step"/>), and the engine need not read its state.
    /// </summary>
    public static bool IsQuiet(RuleState state) =>
        IsIdle(state) && state.Rule.Windows.Length == 0 && state.Rule.AbsentFields.Length == 0;

    public static bool IsIdle(RuleState state) => state.Phase is RulePhase.Inactive or RulePhase.Resolved;

    /// <summary>Recomputes the hints of state <paramref name="s"/> after it may have changed phase.</summary>
    public static void Update(DeviceSlot slot, int s)
    {
        if (slot.Group is not { } group)
        {
            return;
        }

        var state = slot.Thresholds[s];
        ref var level = ref group.SteadyLevels(slot.Member)[s];
        var steady = SteadyLevel(state);
        if (level != steady)
        {
            level = steady;
        }

        // Written only on a change: steady readings leave the member's line clean.
        var masks = group.Masks(slot.Member);
        var bit = 1UL << s; // the shift count is taken mod 64: bit s % 64 of word s / 64
        ref var quiet = ref masks[s >> 6];
        var q = IsQuiet(state) ? quiet | bit : quiet & ~bit;
        if (q != quiet)
        {
            quiet = q;
        }

        ref var idle = ref masks[group.MaskWords + (s >> 6)];
        var i = IsIdle(state) ? idle | bit : idle & ~bit;
        if (i != idle)
        {
            idle = i;
        }
    }

    /// <summary>Recomputes every hint of the device (after binding or restore).</summary>
    public static void Recompute(DeviceSlot slot)
    {
        if (slot.Group is not { } group)
        {
            return;
        }

        var masks = group.Masks(slot.Member);
        masks.Clear();
        var levels = group.SteadyLevels(slot.Member);
        var states = slot.Thresholds;
        for (var s = 0; s < states.Length; s++)
        {
            var bit = 1UL << s;
            if (IsQuiet(states[s]))
            {
                masks[s >> 6] |= bit;
            }

            if (IsIdle(states[s]))
            {
                masks[group.MaskWords + (s >> 6)] |= bit;
            }

            levels[s] = SteadyLevel(states[s]);
        }
    }

    private static byte SteadyLevel(RuleState state) =>
        state.Phase == RulePhase.Firing && state.ClearSinceNs == 0 && (uint)state.LevelIndex < RuleGroup.NotSteady ? (byte)state.LevelIndex : RuleGroup.NotSteady;
}
