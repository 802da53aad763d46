using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Rules.Compilation;
using SmartCity.IoT.Rules.Evaluation;
using SmartCity.IoT.Rules.Model;

namespace SmartCity.IoT.Rules.Engine;

/// <summary>
/// Owns the running <see cref="RuleSet"/> and matches it to devices: which rules apply to a device, which states it
/// keeps across a reload or restore, and the shared <see cref="RuleGroup"/> that holds its windows and clocks.
/// </summary>
internal sealed class RuleBinder(RuleSet rules, RuleEngineOptions options, RuleLifecycle lifecycle)
{
    private readonly Dictionary<string, RuleGroup> _groups = new(StringComparer.Ordinal);
    private RuleSet _rules = rules;
    private RuleSet? _groupsOf;

    /// <summary>The running rules; a plain reference swap, so any thread may read it.</summary>
    public RuleSet Rules => Volatile.Read(ref _rules);

    /// <summary>
    /// Replaces the rules for every device of <paramref name="slots"/>, keeping states as described in
    /// <see cref="RuleEngine.Reload"/>.
    /// </summary>
    public void Reload(List<DeviceSlot> slots, RuleSet rules, long now)
    {
        Volatile.Write(ref _rules, rules);
        foreach (var slot in slots)
        {
            Detach(slot); // all first: rebinding a device builds the new groups, the old ones must stay readable
        }

        foreach (var slot in slots)
        {
            Rebind(slot, [.. slot.Thresholds, .. slot.Staleness], now, "rule removed or no longer matches this device");
        }
    }

    /// <summary>Forgets every group (a checkpoint replaces all devices).</summary>
    public void Clear()
    {
        _groups.Clear();
        _groupsOf = null;
    }

    /// <summary>
    /// Matches the current rules to a device. A state of <paramref name="previous"/> with the same rule name and content
    /// is kept whole; one whose rule changed keeps a firing alert; one whose rule is gone resolves a firing alert with
    /// <paramref name="removedReason"/>.
    /// </summary>
    public void Rebind(DeviceSlot slot, IReadOnlyList<RuleState> previous, long now, string removedReason)
    {
        var byName = new Dictionary<string, RuleState>(StringComparer.Ordinal);
        foreach (var s in previous)
        {
            byName[s.RuleName] = s;
        }

        var thresholds = new List<RuleState>();
        var matched = new List<CompiledRule>(); // the rule of each entry of thresholds
        var deferred = new List<int>();
        var staleness = new List<RuleState>();
        foreach (var rule in _rules.Compiled)
        {
            if (rule.Aggregate is not null || !rule.Definition.Match.Matches(slot.ProfileId, slot.Family, slot.DeviceId, slot.Tags))
            {
                continue;
            }

            if (rule.Kind != RuleKind.Staleness)
            {
                matched.Add(rule);
            }

            RuleState state;
            if (byName.Remove(rule.Name, out var old) && old.Rule.Kind == rule.Kind)
            {
                state = Keep(old, rule);
            }
            else if (rule.Kind == RuleKind.Threshold && rule.Windows.Length == 0 && !rule.HasAbsent)
            {
                deferred.Add(thresholds.Count);
                thresholds.Add(null!); // created below, after the states every reading reads
                continue;
            }
            else
            {
                state = new RuleState(rule);
            }

            (rule.Kind == RuleKind.Staleness ? staleness : thresholds).Add(state);
        }

        // Allocation order is memory order: states of window and absent() rules first, then those of rules that are
        // usually quiet. (What a reading updates per device, windows and clocks, lives in the rule group's block.)
        foreach (var i in deferred)
        {
            thresholds[i] = new RuleState(matched[i]);
        }

        slot.Thresholds = thresholds.ToArray();
        Join(slot, now);
        foreach (var state in staleness)
        {
            state.SavedWindows = null;
            state.SavedAbsentSeenNs = null;
        }

        SlotMasks.Recompute(slot);
        slot.Staleness = staleness.ToArray();
        slot.StaleFiring = staleness.Count(s => s.Phase == RulePhase.Firing);
        foreach (var gone in byName.Values)
        {
            if (gone.Phase == RulePhase.Firing)
            {
                lifecycle.TryResolve(slot, gone, now, removedReason.Length > 0 ? removedReason : "rule removed");
            }
        }
    }

    /// <summary>
    /// The state for <paramref name="rule"/> given the device's state of a rule of the same name: kept whole when the
    /// content is the same, else fresh windows and timers that keep a firing alert (same fingerprint).
    /// </summary>
    private static RuleState Keep(RuleState old, CompiledRule rule)
    {
        if (old.DefinitionHash == rule.Definition.DefinitionHash && (old.SavedWindows?.Length ?? 0) == rule.Windows.Length && (old.SavedAbsentSeenNs?.Length ?? 0) == rule.AbsentFields.Length)
        {
            old.Rule = rule;
            return old;
        }

        var state = new RuleState(rule);
        if (old.Phase == RulePhase.Firing)
        {
            state.Phase = RulePhase.Firing;
            state.FiringSinceNs = old.FiringSinceNs;
            state.Severity = old.Severity;
            state.LevelIndex = LevelOf(rule, old.Severity);
            state.Fingerprint = old.Fingerprint;
            state.Labels = old.Labels;
            state.Annotations = old.Annotations;
            state.LastValue = old.LastValue;
            state.Transitions = old.Transitions;
            state.TransitionCount = old.TransitionCount;
        }

        return state;
    }

    /// <summary>The level of <paramref name="rule"/> with <paramref name="severity"/>, else its highest (a firing alert carried into a changed rule).</summary>
    public static int LevelOf(CompiledRule rule, AlertSeverity severity)
    {
        var same = Array.IndexOf(rule.LevelSeverities, severity);
        return same >= 0 ? same : Math.Max(0, rule.LevelSeverities.Length - 1);
    }

    /// <summary>Makes the device a member of the group of its rules and moves the states' carried windows and clocks in.</summary>
    private void Join(DeviceSlot slot, long now)
    {
        var group = SharedGroup(slot.Thresholds);
        slot.Group = group;
        slot.Member = group.AddMember();
        for (var s = 0; s < slot.Thresholds.Length; s++)
        {
            var state = slot.Thresholds[s];
            if (group.Lanes[s] is { } lane)
            {
                // A kept state brings its samples and clocks (saved from the old group or read from a checkpoint);
                // a new one starts empty, and absent() counts from now: a field never sent is absent after d.
                for (var w = 0; w < lane.Windows.Length && state.SavedWindows is { } saved; w++)
                {
                    saved[w].CopyTo(lane.Windows[w], slot.Member);
                }

                for (var i = 0; i < lane.AbsentFields; i++)
                {
                    lane.AbsentSeen(i, slot.Member) = state.SavedAbsentSeenNs is { } seen ? seen[i] : now;
                }
            }

            state.SavedWindows = null;
            state.SavedAbsentSeenNs = null;
        }
    }

    /// <summary>Copies the windows and absent() clocks of a device's states out of its rule group (reload; off the hot path).</summary>
    private void Detach(DeviceSlot slot)
    {
        var states = slot.Thresholds;
        for (var s = 0; s < states.Length; s++)
        {
            var lane = slot.Group?.Lanes[s];
            var state = states[s];
            state.SavedWindows = new WindowBuffer[lane?.Windows.Length ?? 0];
            state.SavedAbsentSeenNs = new long[lane?.AbsentFields ?? 0];
            for (var w = 0; w < state.SavedWindows.Length; w++)
            {
                state.SavedWindows[w] = WindowBuffer.CopyOf(lane!.Windows[w], slot.Member, options.InitialWindowCapacity, options.MaxWindowSamples, options.WindowBuckets);
            }

            for (var i = 0; i < state.SavedAbsentSeenNs.Length; i++)
            {
                state.SavedAbsentSeenNs[i] = lane!.AbsentSeen(i, slot.Member);
            }
        }
    }

    /// <summary>
    /// The rule group of a device's states, one shared by every device that matches the same rules (its compiled rules
    /// stay in cache while per-device data does not, and its lanes hold the members' windows). Rebuilt on reload: the
    /// keys are the current rule objects.
    /// </summary>
    private RuleGroup SharedGroup(RuleState[] states)
    {
        var rules = new CompiledRule[states.Length];
        for (var i = 0; i < states.Length; i++)
        {
            rules[i] = states[i].Rule;
        }

        if (!ReferenceEquals(_groupsOf, _rules))
        {
            _groups.Clear();
            _groupsOf = _rules;
        }

        var key = string.Join("\n", rules.Select(r => r.Name));
        if (_groups.TryGetValue(key, out var shared) && shared.Rules.AsSpan().SequenceEqual(rules))
        {
            return shared;
        }

        var group = new RuleGroup(rules, options);
        _groups[key] = group;
        return group;
    }
}
