using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Rules.Compilation;
using SmartCity.IoT.Rules.Evaluation;
using SmartCity.IoT.Rules.Language;
using SmartCity.IoT.Rules.Model;

namespace SmartCity.IoT.Rules.Engine;

/// <summary>
/// The state machine of one (rule, device): inactive → pending (<c>for</c>) → firing → resolved, level changes
/// (escalation), <c>keep_firing_for</c>, flapping holds; publishes each transition as an alert.
/// </summary>
internal sealed class RuleLifecycle(AlertBuilder alerts, IAlertSink sink, FlappingPolicy defaultFlapping, RuleFailures failures)
{
    /// <summary>Advances the lifecycle given the outcome of the firing condition (<see cref="CompiledRule.EvaluateLevels"/>).</summary>
    public void Step(DeviceSlot slot, RuleState state, in EvalContext ctx, double fire, int level)
    {
        var rule = state.Rule;
        var now = ctx.NowNs;

        // Steady states write nothing here: with 10,000 devices the states live in main memory, and clean cache lines
        // are cheaper to evict than dirty ones. LastFire is only needed while pending (the timer's expiry check).
        switch (state.Phase)
        {
            case RulePhase.Inactive or RulePhase.Resolved:
                if (fire == 1)
                {
                    state.LevelIndex = level;
                    state.LastFire = 1;
                    if (rule.ForNs == 0)
                    {
                        state.LastValue = rule.ValueOf(level, ctx);
                        Fire(slot, state, now);
                    }
                    else
                    {
                        // Kept (and checkpointed) while pending: the timer may fire it with no values at hand (after a restart).
                        state.LastValue = rule.ValueOf(level, ctx);
                        state.Phase = RulePhase.Pending;
                        state.PendingSinceNs = now;
                        state.EpisodeOrigin = slot.LastSequence;
                    }
                }

                break;

            case RulePhase.Pending:
                state.LastFire = fire;
                if (fire == 1)
                {
                    state.LevelIndex = level;
                    state.LastValue = KnownOr(rule.ValueOf(level, ctx), state.LastValue);
                    if (now - state.PendingSinceNs >= rule.ForNs)
                    {
                        Fire(slot, state, now);
                    }
                }
                else if (fire == 0)
                {
                    state.Phase = state.ResolvedAtNs != 0 ? RulePhase.Resolved : RulePhase.Inactive;
                }

                break;

            case RulePhase.Firing:
                if (fire == 1)
                {
                    if (state.ClearSinceNs != 0)
                    {
                        state.ClearSinceNs = 0;
                    }

                    if (level != state.LevelIndex)
                    {
                        state.LastValue = rule.ValueOf(level, ctx);
                        ChangeLevel(slot, state, level, now);
                    }

                    break;
                }

                var clear = rule.Clear is null ? (fire == 0 ? 1 : double.NaN) : rule.Clear.Eval(ctx);
                if (clear == 1)
                {
                    if (state.ClearSinceNs == 0)
                    {
                        state.ClearSinceNs = now;
                    }

                    if (now - state.ClearSinceNs >= rule.KeepFiringForNs)
                    {
                        TryResolve(slot, state, now, "", rule.ValueOf(state.LevelIndex, ctx));
                    }
                }
                else if (clear == 0 && state.ClearSinceNs != 0)
                {
                    state.ClearSinceNs = 0;
                }

                break;
        }
    }

    public void Fire(DeviceSlot slot, RuleState state, long now)
    {
        var rule = state.Rule;
        if (state.Phase != RulePhase.Pending)
        {
            state.EpisodeOrigin = slot.LastSequence; // a pending episode began with the reading that made it pending
        }

        state.Phase = RulePhase.Firing;
        state.FiringSinceNs = now;
        state.ClearSinceNs = 0;
        state.Flapping = false;
        if (rule.Kind == RuleKind.Threshold)
        {
            state.Severity = rule.LevelSeverities[Math.Clamp(state.LevelIndex, 0, rule.LevelSeverities.Length - 1)];
        }

        state.RecordTransition(now, FlappingFor(rule).MaxChanges + 1);
        state.Fingerprint ??= AlertBuilder.Fingerprint(state.RuleName, slot);
        state.Labels = null;
        Publish(slot, state, AlertStatus.Firing, now, null);
    }

    /// <summary>
    /// Resolves a firing state, unless it is flapping (then it holds firing and says so once, with the value it fired
    /// with). A non-empty <paramref name="reason"/> (the rule was removed) resolves unconditionally and becomes the
    /// alert's note. <paramref name="value"/> is the value now (NaN when unknown: the last value is reported).
    /// </summary>
    public void TryResolve(DeviceSlot slot, RuleState state, long now, string reason, double value = double.NaN)
    {
        var policy = FlappingFor(state.Rule);
        if (reason.Length == 0 && policy.Enabled && state.TransitionsSince(now - (long)(policy.Window.TotalMilliseconds * 1_000_000)) >= policy.MaxChanges)
        {
            if (!state.Flapping)
            {
                state.Flapping = true;
                Publish(slot, state, AlertStatus.Firing, now, $"flapping: {policy.MaxChanges} state changes within {DurationParser.Format(policy.Window)}; holding firing until it is stable");
            }

            return;
        }

        var wasFlapping = state.Flapping;
        state.LastValue = KnownOr(value, state.LastValue);
        state.Phase = RulePhase.Resolved;
        state.ResolvedAtNs = now;
        state.ClearSinceNs = 0;
        state.Flapping = false;
        state.RecordTransition(now, policy.MaxChanges + 1);
        Publish(slot, state, AlertStatus.Resolved, now, reason.Length > 0 ? reason : wasFlapping ? "resolved after flapping stopped" : null);
    }

    /// <summary>
    /// Resolves the device's firing staleness alerts: a message arrived at <paramref name="now"/> after silence since
    /// <paramref name="silentSinceNs"/> (the value reported: how long the device was silent).
    /// </summary>
    public void ResolveStale(DeviceSlot slot, long silentSinceNs, long now)
    {
        foreach (var state in slot.Staleness)
        {
            if (state.Phase != RulePhase.Firing)
            {
                continue;
            }

            try
            {
                state.LastValue = Math.Max(0, now - silentSinceNs) / 1e9;
                state.Phase = RulePhase.Resolved;
                state.ResolvedAtNs = now;
                state.RecordTransition(now, FlappingFor(state.Rule).MaxChanges + 1);
                Publish(slot, state, AlertStatus.Resolved, now, null);
            }
            catch (Exception ex)
            {
                failures.Record(state.Rule, slot, ex, now);
            }
        }

        slot.StaleFiring = 0;
    }

    /// <summary>A known value, else <paramref name="fallback"/>.</summary>
    public static double KnownOr(double value, double fallback) => double.IsNaN(value) ? fallback : value;

    private void ChangeLevel(DeviceSlot slot, RuleState state, int level, long now)
    {
        var severity = state.Rule.LevelSeverities[level];
        state.LevelIndex = level;
        if (severity == state.Severity)
        {
            return;
        }

        var status = severity > state.Severity ? AlertStatus.Escalated : AlertStatus.Deescalated;
        state.Severity = severity;
        Publish(slot, state, status, now, null);
    }

    private FlappingPolicy FlappingFor(CompiledRule rule) => rule.Definition.Flapping ?? defaultFlapping;

    private void Publish(DeviceSlot slot, RuleState state, AlertStatus status, long now, string? note)
    {
        var alert = alerts.Build(slot, state, status, now, note);
        sink.OnTransition(alert);
    }
}
