using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Rules.Compilation;
using SmartCity.IoT.Rules.Evaluation;
using SmartCity.IoT.Rules.Model;

namespace SmartCity.IoT.Rules.Engine;

/// <summary>
/// Takes over alerts the outbox says are firing but the engine does not know (they fired after the checkpoint it was
/// restored from): the (rule, device) becomes firing without publishing, so its next reading resolves it through the
/// normal lifecycle. An alert of a device the engine has not bound yet waits until the device is bound.
/// </summary>
internal sealed class AlertAdoption(RuleLifecycle lifecycle)
{
    public const string RemovedNote = "rule removed or changed while the gateway was down";

    private readonly Dictionary<string, List<FiringAlert>> _pending = new(StringComparer.Ordinal);

    /// <summary>Adoptions waiting for their device to be bound.</summary>
    public int PendingCount => _pending.Values.Sum(l => l.Count);

    public void Clear() => _pending.Clear();

    /// <summary>Adopts <paramref name="alert"/> into <paramref name="slot"/>, or keeps it until the device is bound (null slot).</summary>
    public void Adopt(FiringAlert alert, DeviceSlot? slot, RuleSet rules, long now)
    {
        if (slot is not null)
        {
            Apply(slot, alert, rules, now);
            SlotMasks.Recompute(slot);
            return;
        }

        if (rules.Compiled.All(r => r.Name != alert.RuleName))
        {
            // No device can bring this rule back: resolve now rather than wait for a device that may never report.
            var family = alert.Labels.GetValueOrDefault("family") ?? "";
            Resolve(new DeviceSlot(alert.ProfileId, family, alert.DeviceId, []), alert, null, now);
            return;
        }

        var key = DeviceSlot.Key(alert.ProfileId, alert.DeviceId);
        if (!_pending.TryGetValue(key, out var list))
        {
            _pending[key] = list = [];
        }

        list.Add(alert);
    }

    /// <summary>Applies the adoptions waiting for <paramref name="slot"/>, which has just been bound (not per reading).</summary>
    public void Bound(DeviceSlot slot, RuleSet rules, long now)
    {
        if (_pending.Count == 0 || !_pending.Remove(DeviceSlot.Key(slot.ProfileId, slot.DeviceId), out var list))
        {
            return;
        }

        foreach (var alert in list)
        {
            Apply(slot, alert, rules, now);
        }

        SlotMasks.Recompute(slot);
    }

    /// <summary>Ends, without publishing, the slot's firing alerts whose fingerprints are not in <paramref name="announced"/>.</summary>
    public static void ReleaseUnannounced(DeviceSlot slot, IReadOnlySet<string> announced, long now)
    {
        var changed = false;
        foreach (var state in slot.Thresholds.Concat(slot.Staleness))
        {
            if (state.Phase != RulePhase.Firing || announced.Contains(state.Fingerprint ?? AlertBuilder.Fingerprint(state.RuleName, slot)))
            {
                continue;
            }

            state.Phase = RulePhase.Resolved;
            state.ResolvedAtNs = now;
            state.PendingSinceNs = 0;
            state.ClearSinceNs = 0;
            state.Flapping = false;
            changed = true;
        }

        if (changed)
        {
            slot.StaleFiring = slot.Staleness.Count(s => s.Phase == RulePhase.Firing);
            SlotMasks.Recompute(slot);
        }
    }

    private void Apply(DeviceSlot slot, FiringAlert alert, RuleSet rules, long now)
    {
        if ((Find(slot.Thresholds, alert.RuleName) ?? Find(slot.Staleness, alert.RuleName)) is not { } state)
        {
            Resolve(slot, alert, rules.Compiled.FirstOrDefault(r => r.Name == alert.RuleName), now);
            return;
        }

        if (state.Phase == RulePhase.Firing)
        {
            return; // the checkpoint already has this episode
        }

        SetFiring(state, state.Rule, alert);
        if (state.Rule.Kind == RuleKind.Staleness)
        {
            slot.StaleFiring = slot.Staleness.Count(s => s.Phase == RulePhase.Firing);
        }
    }

    /// <summary>The rule is gone or no longer matches the device: the outbox's episode ends once, with the note.</summary>
    private void Resolve(DeviceSlot slot, FiringAlert alert, CompiledRule? rule, long now)
    {
        var state = new RuleState(rule ?? PlaceholderRule.Create(alert.RuleName, RuleKind.Threshold, ""));
        SetFiring(state, state.Rule, alert);
        lifecycle.TryResolve(slot, state, now, RemovedNote);
    }

    private static void SetFiring(RuleState state, CompiledRule rule, FiringAlert alert)
    {
        state.Phase = RulePhase.Firing;
        state.PendingSinceNs = 0;
        state.ClearSinceNs = 0;
        state.LastFire = 1;
        state.FiringSinceNs = UnixNanos.FromTime(alert.Since);
        state.Severity = alert.Severity;
        state.LevelIndex = RuleBinder.LevelOf(rule, alert.Severity);
        state.LastValue = alert.Value;
        state.Flapping = alert.Flapping;
        state.Fingerprint = alert.Fingerprint;
        state.Labels = alert.Labels;
    }

    private static RuleState? Find(RuleState[] states, string ruleName)
    {
        foreach (var s in states)
        {
            if (s.RuleName == ruleName)
            {
                return s;
            }
        }

        return null;
    }
}
