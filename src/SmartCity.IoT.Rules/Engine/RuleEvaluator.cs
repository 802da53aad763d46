using SmartCity.IoT.Core.Model;
using SmartCity.IoT.Rules.Compilation;
using SmartCity.IoT.Rules.Evaluation;

namespace SmartCity.IoT.Rules.Engine;

/// <summary>
/// The hot loop: one reading against the rules of its device's group. Feeds windows and absent() clocks, evaluates the
/// rules the reading triggers and hands a state to <see cref="RuleLifecycle"/> only when it can change. Allocates
/// nothing unless an alert transitions. A rule that throws is recorded in <see cref="RuleFailures"/> and the other rules
/// still run: a failure inside rule evaluation never stops the reading itself from being stored.
/// </summary>
internal sealed class RuleEvaluator(FieldVocabulary vocabulary, RuleLifecycle lifecycle, RuleFailures failures)
{
    // Which fields a reading carries fit in one 64-bit set when the vocabulary allows (one AND per rule instead of a loop).
    private readonly bool _useMask = vocabulary.Count <= 64;

    // The rule the loop is at, for the handler: the loop itself has no try (a protected region in the hot loop costs
    // registers); after a failure it resumes at the next rule.
    private int _at;

    public void Evaluate(DeviceSlot slot, Reading reading, long now)
    {
        var silentSince = slot.LastReceivedNs;
        slot.LastReceivedNs = now;
        if (slot.StaleFiring > 0)
        {
            lifecycle.ResolveStale(slot, silentSince, now);
        }

        var from = 0;
        while (true)
        {
            _at = from; // progress even when the failure comes before the first rule
            try
            {
                EvaluateRules(slot, reading, now, from);
                return;
            }
            catch (Exception ex) when (slot.Group is { } group && (uint)_at < (uint)group.Rules.Length)
            {
                var s = _at;
                Failed(group.Rules[s], slot, s, ex, now);
                from = s + 1;
            }
        }
    }

    private void EvaluateRules(DeviceSlot slot, Reading reading, long now, int from)
    {
        var latest = slot.Latest;
        var states = slot.Thresholds; // the array is read only when a state is (transitions, pending, clearing)
        var group = slot.Group!;
        var rules = group.Rules;
        var lanes = group.Lanes;
        var member = slot.Member;
        var steady = group.SteadyLevels(member);
        var tags = slot.Tags;

        var useMask = _useMask;
        ulong present = 0;
        if (useMask)
        {
            foreach (var id in reading.FieldIds)
            {
                present |= 1UL << id;
            }
        }

        // Quiet (rule, device) pairs (see RuleGroup.Masks) are evaluated from the shared compiled rule and the device's
        // latest values alone; their state object is not read unless the rule starts firing. With 10,000 devices the
        // states live in main memory, so most of a reading's cache misses are avoided this way. One 64-bit word of each
        // mask covers 64 rules; the next word is loaded when the rule index crosses into it.
        var masks = group.Masks(member);
        var idleWords = group.MaskWords;
        ulong quiet = 0;
        ulong idle = 0;

        for (var s = from; s < rules.Length; s++)
        {
            if ((s & 63) == 0 || s == from)
            {
                quiet = masks[s >> 6];
                idle = masks[idleWords + (s >> 6)];
            }

            _at = s;
            var bit = 1UL << s; // the shift count is taken mod 64: bit s % 64 of the current word
            var rule = rules[s];
            if ((quiet & bit) != 0)
            {
                // No windows, no absent(), phase inactive or resolved: only a firing condition that now holds matters.
                if (useMask ? (rule.TriggerMask & present) == 0 : !TriggeredBy(rule, reading))
                {
                    continue;
                }

                var quietCtx = new EvalContext(latest, now, tags, null, member, slot.Place);
                if (rule.EvaluateLevels(quietCtx, out var quietLevel) != 1)
                {
                    continue;
                }

                lifecycle.Step(slot, states[s], quietCtx, 1, quietLevel);
                SlotMasks.Update(slot, s);
                continue;
            }

            // Windows and absent() clocks are found by index in the group's flat arrays; the state object is read
            // only when the rule is pending or firing, or its condition holds (see the idle mask).
            var lane = lanes[s];
            var absent = rule.AbsentFields;
            var triggered = absent.Length > 0;
            for (var i = 0; i < absent.Length; i++)
            {
                if (reading.Has(absent[i]))
                {
                    lane!.AbsentSeen(i, member) = now;
                }
            }

            if (!triggered && !(useMask ? (rule.TriggerMask & present) != 0 : TriggeredBy(rule, reading)))
            {
                continue;
            }

            var fieldWindows = rule.FieldWindows;
            for (var i = 0; i < fieldWindows.Length; i++)
            {
                var (w, fieldId, duration) = fieldWindows[i];
                if (reading.TryGet(fieldId, out var v) && double.IsFinite(v))
                {
                    // Evict on add too: a window behind a short-circuited 'and' may not be read for a long time.
                    var window = lane!.Windows[w];
                    window.Evict(member, now - duration);
                    window.Add(member, now, v);
                }
            }

            var ctx = new EvalContext(latest, now, tags, lane, member, slot.Place);
            var countWindows = rule.CountWindows;
            for (var i = 0; i < countWindows.Length; i++)
            {
                var (w, condition, duration) = countWindows[i];
                var window = lane!.Windows[w];
                window.Evict(member, now - duration);
                window.Add(member, now, condition.Eval(ctx) == 1 ? 1 : 0);
            }

            var fire = rule.EvaluateLevels(ctx, out var level);
            if (fire == 1 ? steady[s] == level : (idle & bit) != 0)
            {
                continue; // the common steady cases (idle and not holding, firing and still holding): Step would change nothing
            }

            lifecycle.Step(slot, states[s], ctx, fire, level);
            SlotMasks.Update(slot, s);
        }
    }

    private void Failed(CompiledRule rule, DeviceSlot slot, int s, Exception error, long now)
    {
        failures.Record(rule, slot, error, now);
        try
        {
            // Hints recomputed from the state itself: a hint that led into the failure is not followed again.
            SlotMasks.Update(slot, s);
        }
        catch (Exception ex)
        {
            failures.Record(rule, slot, ex, now);
        }
    }

    private static bool TriggeredBy(CompiledRule rule, Reading reading)
    {
        var triggers = rule.TriggerFields;
        for (var i = 0; i < triggers.Length; i++)
        {
            if (reading.Has(triggers[i]))
            {
                return true;
            }
        }

        return false;
    }
}
