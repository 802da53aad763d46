using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text;
using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Core.Model;
using SmartCity.IoT.Core.Telemetry;
using SmartCity.IoT.Rules.Compilation;
using SmartCity.IoT.Rules.Evaluation;
using SmartCity.IoT.Rules.Model;

namespace SmartCity.IoT.Rules.Engine;

/// <summary>
/// Evaluates rules per (rule, device) and publishes alert transitions.
/// <para>
/// <b>Not thread-safe</b>: the host serializes <see cref="Evaluate"/>, <see cref="Tick"/>, <see cref="Reload"/>,
/// <see cref="SaveCheckpoint"/>, <see cref="RestoreCheckpoint"/> and <see cref="ActiveAlerts"/> with one lock.
/// </para>
/// <para>
/// Time: every rule clock (hold times, windows, absent(), staleness) uses the injected <see cref="TimeProvider"/> at the
/// moment a reading is evaluated (receive-time semantics), not the reading's timestamp, which may come from a device
/// clock that is wrong or replayed. <see cref="DeviceState.LastSeenUnixNs"/> is therefore not used for staleness.
/// </para>
/// </summary>
public sealed class RuleEngine
{
    private static readonly Counter<long> Transitions = GatewayMeter.Meter.CreateCounter<long>("rules.alert_transitions", description: "Alert transitions published by the rule engine");

    private readonly FieldVocabulary _vocabulary;
    private readonly DeviceRegistry _devices;
    private readonly IAlertPublisher _publisher;
    private readonly TimeProvider _time;
    private readonly RuleEngineOptions _options;
    private readonly double[] _noValues;
    private readonly List<DeviceSlot> _all = [];
    private readonly Dictionary<string, DeviceSlot> _byKey = new(StringComparer.Ordinal);
    // By registry device index: the slot and where its per-reading data lives (rule group block, latest values), so a
    // reading can ask for all of it before the slot object itself has arrived from memory.
    private Route[] _byIndex = new Route[256];
    private RuleSet _ruleSet;
    private readonly Dictionary<string, RuleGroup> _groups = new(StringComparer.Ordinal);
    private RuleSet? _groupsOf;

    public RuleEngine(RuleSet rules, FieldVocabulary vocabulary, DeviceRegistry devices, IAlertPublisher publisher, TimeProvider time, RuleEngineOptions? options = null)
    {
        _ruleSet = rules ?? throw new ArgumentNullException(nameof(rules));
        _vocabulary = vocabulary ?? throw new ArgumentNullException(nameof(vocabulary));
        _devices = devices ?? throw new ArgumentNullException(nameof(devices));
        _publisher = publisher ?? throw new ArgumentNullException(nameof(publisher));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _options = options ?? new RuleEngineOptions();
        if (!ReferenceEquals(rules.Vocabulary, vocabulary) && rules.Vocabulary.Count != vocabulary.Count)
        {
            throw new ArgumentException("The rule set was compiled against a different vocabulary.", nameof(rules));
        }

        _noValues = new double[vocabulary.Count];
        Array.Fill(_noValues, double.NaN);
    }

    public int RuleCount => _ruleSet.Count;

    public RuleSet Rules => _ruleSet;

    /// <summary>Devices the engine tracks (including ones restored from a checkpoint and not yet seen again).</summary>
    public int DeviceCount => _all.Count;

    /// <summary>
    /// Hot path. <paramref name="reading"/> must have been passed to <see cref="DeviceRegistry.Observe"/> (so
    /// <see cref="Reading.DeviceIndex"/> is set and the device's latest values include this reading).
    /// A rule is evaluated when the reading carries one of the fields its expressions name (absent() rules on every reading);
    /// field references read the device's latest value. Allocates nothing unless an alert transitions.
    /// </summary>
    public void Evaluate(Reading reading)
    {
        var index = reading.DeviceIndex;
        if (index < 0)
        {
            ThrowNotObserved();
        }

        var slot = (uint)index < (uint)_byIndex.Length ? _byIndex[index].Slot : null;
        if (slot is null)
        {
            slot = Bind(index);
        }
        else
        {
            // Ask for the rule group block and the latest values now, while the slot object itself is on its way.
            var route = _byIndex[index];
            route.Group!.Prefetch(route.Member);
            route.Group.PrefetchLatest(route.Latest);
        }

        var now = NowNs();
        slot.LastReceivedNs = now;
        if (slot.StaleFiring > 0)
        {
            ResolveStale(slot, now);
        }

        var latest = slot.Latest;
        var states = slot.Thresholds; // the array is read only when a state is (transitions, pending, clearing)
        var group = slot.Group!;
        var rules = group.Rules;
        var lanes = group.Lanes;
        var member = slot.Member;
        var steady = group.SteadyLevels(member);
        var tags = slot.Tags;

        // Which fields this reading carries, as a bit set when the vocabulary allows (one AND per rule instead of a loop).
        var useMask = _vocabulary.Count <= 64;
        ulong present = 0;
        if (useMask)
        {
            foreach (var id in reading.FieldIds)
            {
                present |= 1UL << id;
            }
        }

        // Quiet (rule, device) pairs (see DeviceSlot.QuietMask) are evaluated from the shared compiled rule and the
        // device's latest values alone; their state object is not read unless the rule starts firing. With 10,000
        // devices the states live in main memory, so most of a reading's cache misses are avoided this way.
        var quiet = slot.QuietMask;
        var idle = slot.IdleMask;

        for (var s = 0; s < rules.Length; s++)
        {
            var rule = rules[s];
            if ((quiet & (1UL << s)) != 0)
            {
                // No windows, no absent(), phase inactive or resolved: only a firing condition that now holds matters.
                if (useMask ? (rule.TriggerMask & present) == 0 : !TriggeredBy(rule, reading))
                {
                    continue;
                }

                var quietCtx = new EvalContext(latest, now, tags, null, member);
                if (EvaluateLevels(rule, quietCtx, out var quietLevel) != 1)
                {
                    continue;
                }

                Step(slot, states[s], quietCtx, 1, quietLevel);
                UpdateQuiet(slot, s);
                continue;
            }

            // Windows and absent() clocks are found by index in the group's flat arrays; the state object is read
            // only when the rule is pending or firing, or its condition holds (see DeviceSlot.IdleMask).
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

            var ctx = new EvalContext(latest, now, tags, lane, member);
            var countWindows = rule.CountWindows;
            for (var i = 0; i < countWindows.Length; i++)
            {
                var (w, condition, duration) = countWindows[i];
                var window = lane!.Windows[w];
                window.Evict(member, now - duration);
                window.Add(member, now, condition.Eval(ctx) == 1 ? 1 : 0);
            }

            var fire = EvaluateLevels(rule, ctx, out var level);
            if (fire == 1 ? steady[s] == level : s < 64 ? (idle & (1UL << s)) != 0 : states[s].Phase is RulePhase.Inactive or RulePhase.Resolved)
            {
                continue; // the common steady cases (idle and not holding, firing and still holding): Step would change nothing
            }

            Step(slot, states[s], ctx, fire, level);
            UpdateQuiet(slot, s);
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

    /// <summary>
    /// A (rule, device) is quiet when its rule keeps no per-device samples or timers that a reading must update
    /// (no windows, no absent()) and it is inactive or resolved: then a reading whose firing condition does not hold
    /// changes nothing (see <see cref="Step"/>), and the engine need not read its state.
    /// </summary>
    private static bool IsQuiet(RuleState state) =>
        state.Phase is RulePhase.Inactive or RulePhase.Resolved && state.Rule.Windows.Length == 0 && state.Rule.AbsentFields.Length == 0;

    /// <summary>Recomputes bit <paramref name="s"/> of <see cref="DeviceSlot.QuietMask"/> after the state may have changed phase.</summary>
    private static void UpdateQuiet(DeviceSlot slot, int s)
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

    private static byte SteadyLevel(RuleState state) =>
        state.Phase == RulePhase.Firing && state.ClearSinceNs == 0 && (uint)state.LevelIndex < RuleGroup.NotSteady ? (byte)state.LevelIndex : RuleGroup.NotSteady;

    private static void RecomputeQuiet(DeviceSlot slot)
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

    /// <summary>
    /// Timers, called by the host about once a second: device staleness, absent() without any reading, a pending
    /// <c>for</c> that expires without a new reading, keep_firing_for expiry, and flapping holds that age out.
    /// </summary>
    public void Tick()
    {
        var now = NowNs();
        foreach (var slot in _all)
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
                    Fire(slot, state, now);
                    slot.StaleFiring++;
                }
            }

            var latest = slot.Device?.Latest ?? _noValues;
            var thresholds = slot.Thresholds;
            for (var s = 0; s < thresholds.Length; s++)
            {
                var state = thresholds[s];
                var rule = state.Rule;
                if (rule.HasAbsent)
                {
                    var ctx = Context(slot, s, latest, now);
                    var fire = EvaluateLevels(rule, ctx, out var level);
                    Step(slot, state, ctx, fire, level);
                }
                else if (state.Phase == RulePhase.Pending && state.LastFire == 1 && now - state.PendingSinceNs >= rule.ForNs)
                {
                    state.LastValue = ValueOf(rule, state.LevelIndex, Context(slot, s, latest, now));
                    Fire(slot, state, now);
                }
                else if (state.Phase == RulePhase.Firing && state.ClearSinceNs != 0 && now - state.ClearSinceNs >= rule.KeepFiringForNs)
                {
                    state.LastValue = ValueOf(rule, state.LevelIndex, Context(slot, s, latest, now));
                    TryResolve(slot, state, now, "");
                }

                UpdateQuiet(slot, s);
            }
        }
    }

    /// <summary>
    /// Replaces the rules. A (rule, device) whose rule has the same name and content keeps all its state (windows, timers,
    /// firing alert). A changed rule keeps a firing alert (same fingerprint, re-checked on the next reading) but starts its
    /// windows and timers afresh. A removed rule, or one that no longer matches a device, resolves its firing alerts.
    /// </summary>
    public void Reload(RuleSet rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        _ruleSet = rules;
        var now = NowNs();
        foreach (var slot in _all)
        {
            Detach(slot); // all first: rebinding a device builds the new groups, the old ones must stay readable
        }

        foreach (var slot in _all)
        {
            Rebind(slot, [.. slot.Thresholds, .. slot.Staleness], now, "rule removed or no longer matches this device");
        }

        for (var i = 0; i < _byIndex.Length; i++)
        {
            if (_byIndex[i].Slot is { } bound)
            {
                _byIndex[i] = new Route(bound);
            }
        }
    }

    /// <summary>Writes all state (device identities, timers, firing alerts, window contents) to <paramref name="destination"/>.</summary>
    public void SaveCheckpoint(Stream destination) => RuleCheckpoint.Write(destination, _all);

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
                var samples = lane!.Windows[w].Samples(slot.Member);
                var buffer = NewWindowBuffer(samples.Length);
                foreach (var (t, v) in samples)
                {
                    buffer.Add(t, v);
                }

                state.SavedWindows[w] = buffer;
            }

            for (var i = 0; i < state.SavedAbsentSeenNs.Length; i++)
            {
                state.SavedAbsentSeenNs[i] = lane!.AbsentSeen(i, slot.Member);
            }
        }
    }

    /// <summary>A detached window large enough for <paramref name="count"/> samples.</summary>
    internal static WindowBuffer NewWindowBuffer(int count, RuleEngineOptions options) =>
        new(Math.Max(options.InitialWindowCapacity, (int)Math.Min(options.MaxWindowSamples, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, count)))), options.MaxWindowSamples);

    private WindowBuffer NewWindowBuffer(int count) => NewWindowBuffer(count, _options);

    private static EvalContext Context(DeviceSlot slot, int s, double[] latest, long now)
    {
        var lanes = slot.Group?.Lanes;
        return new EvalContext(latest, now, slot.Tags, lanes is not null && s < lanes.Length ? lanes[s] : null, slot.Member);
    }

    /// <summary>
    /// Replaces the engine's state with a checkpoint. Call before the first <see cref="Evaluate"/> after a restart:
    /// pending timers continue, firing alerts stay firing without being published again, windows keep their samples.
    /// State of rules that changed or vanished while the gateway was down is handled as in <see cref="Reload"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">The stream is not a checkpoint of a supported version.</exception>
    public void RestoreCheckpoint(Stream source)
    {
        var restored = RuleCheckpoint.Read(source, _options);
        _all.Clear();
        _byKey.Clear();
        Array.Clear(_byIndex);
        _groups.Clear();
        _groupsOf = null;
        var now = NowNs();
        foreach (var (slot, states) in restored)
        {
            if (!_byKey.TryAdd(DeviceSlot.Key(slot.ProfileId, slot.DeviceId), slot))
            {
                continue;
            }

            _all.Add(slot);
            Rebind(slot, states, now, "rule removed while the gateway was down");
        }
    }

    /// <summary>Pending and firing alerts, for the status page.</summary>
    public IReadOnlyList<ActiveAlertInfo> ActiveAlerts()
    {
        var list = new List<ActiveAlertInfo>();
        var now = NowNs();
        foreach (var slot in _all)
        {
            var states = slot.Thresholds.Concat(slot.Staleness).ToArray();
            for (var s = 0; s < states.Length; s++)
            {
                var state = states[s];
                if (state.Phase is RulePhase.Pending or RulePhase.Firing)
                {
                    // Values are computed at transitions only (hot path); the status page gets a fresh one.
                    var value = state.Rule.Kind == RuleKind.Staleness
                        ? (now - slot.LastReceivedNs) / 1e9
                        : ValueOf(state.Rule, state.LevelIndex, Context(slot, s, slot.Device?.Latest ?? _noValues, now));
                    var since = state.Phase == RulePhase.Pending ? state.PendingSinceNs : state.FiringSinceNs;
                    var severity = state.Phase == RulePhase.Pending && state.LevelIndex >= 0 && state.LevelIndex < state.Rule.LevelSeverities.Length
                        ? state.Rule.LevelSeverities[state.LevelIndex]
                        : state.Severity;
                    list.Add(new ActiveAlertInfo(
                        state.Fingerprint ?? Fingerprint(state.RuleName, slot),
                        state.RuleName,
                        slot.ProfileId,
                        slot.Family,
                        slot.DeviceId,
                        severity,
                        state.Phase,
                        FromNs(since),
                        double.IsNaN(value) ? state.LastValue : value,
                        state.Flapping,
                        state.Labels ?? new Dictionary<string, string>(),
                        state.Annotations ?? new Dictionary<string, string>()));
                }
            }
        }

        return list;
    }

    /// <summary>The phase of one (rule, device), or null when the rule does not apply to it (tests, diagnostics).</summary>
    public RulePhase? GetPhase(string ruleName, string profileId, string deviceId)
    {
        if (!_byKey.TryGetValue(DeviceSlot.Key(profileId, deviceId), out var slot))
        {
            return null;
        }

        foreach (var state in slot.Thresholds.Concat(slot.Staleness))
        {
            if (state.RuleName == ruleName)
            {
                return state.Phase;
            }
        }

        return null;
    }

    /// <summary>Stable alert identity: hex of SHA-256 over rule name, profile id and device id (first 8 bytes).</summary>
    public static string Fingerprint(string ruleName, string profileId, string deviceId) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ruleName + "\n" + profileId + "\n" + deviceId)).AsSpan(0, 8));

    private static string Fingerprint(string ruleName, DeviceSlot slot) => Fingerprint(ruleName, slot.ProfileId, slot.DeviceId);

    /// <summary>Advances the lifecycle of one (rule, device) given the outcome of its firing condition (<see cref="EvaluateLevels"/>).</summary>
    private void Step(DeviceSlot slot, RuleState state, in EvalContext ctx, double fire, int level)
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
                        state.LastValue = ValueOf(rule, level, ctx);
                        Fire(slot, state, now);
                    }
                    else
                    {
                        state.Phase = RulePhase.Pending;
                        state.PendingSinceNs = now;
                    }
                }

                break;

            case RulePhase.Pending:
                state.LastFire = fire;
                if (fire == 1)
                {
                    state.LevelIndex = level;
                    if (now - state.PendingSinceNs >= rule.ForNs)
                    {
                        state.LastValue = ValueOf(rule, level, ctx);
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
                        state.LastValue = ValueOf(rule, level, ctx);
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
                        state.LastValue = ValueOf(rule, state.LevelIndex, ctx);
                        TryResolve(slot, state, now, "");
                    }
                }
                else if (clear == 0 && state.ClearSinceNs != 0)
                {
                    state.ClearSinceNs = 0;
                }

                break;
        }
    }

    /// <summary>1 when a level holds (the most severe one in <paramref name="level"/>), 0 when none does, NaN when unknown.</summary>
    private static double EvaluateLevels(CompiledRule rule, in EvalContext ctx, out int level)
    {
        var unknown = false;
        var conditions = rule.LevelConditions;
        for (var i = 0; i < conditions.Length; i++)
        {
            var v = conditions[i].Eval(ctx);
            if (v == 1)
            {
                level = i;
                return 1;
            }

            unknown |= double.IsNaN(v);
        }

        level = -1;
        return unknown ? double.NaN : 0;
    }

    private static double ValueOf(CompiledRule rule, int level, in EvalContext ctx)
    {
        var node = rule.ExplicitValue ?? ((uint)level < (uint)rule.LevelValues.Length ? rule.LevelValues[level] : null);
        return node?.Eval(ctx) ?? double.NaN;
    }

    private void Fire(DeviceSlot slot, RuleState state, long now)
    {
        var rule = state.Rule;
        state.Phase = RulePhase.Firing;
        state.FiringSinceNs = now;
        state.ClearSinceNs = 0;
        state.Flapping = false;
        if (rule.Kind == RuleKind.Threshold)
        {
            state.Severity = rule.LevelSeverities[Math.Clamp(state.LevelIndex, 0, rule.LevelSeverities.Length - 1)];
        }

        state.RecordTransition(now, FlappingFor(rule).MaxChanges + 1);
        state.Fingerprint ??= Fingerprint(state.RuleName, slot);
        state.Labels = null;
        Publish(slot, state, AlertStatus.Firing, now, null);
    }

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

    private void TryResolve(DeviceSlot slot, RuleState state, long now, string reason)
    {
        var policy = FlappingFor(state.Rule);
        if (reason.Length == 0 && policy.Enabled && state.TransitionsSince(now - (long)(policy.Window.TotalMilliseconds * 1_000_000)) >= policy.MaxChanges)
        {
            if (!state.Flapping)
            {
                state.Flapping = true;
                Publish(slot, state, AlertStatus.Firing, now, $"flapping: {policy.MaxChanges} state changes within {Language.DurationParser.Format(policy.Window)}; holding firing until it is stable");
            }

            return;
        }

        var wasFlapping = state.Flapping;
        state.Phase = RulePhase.Resolved;
        state.ResolvedAtNs = now;
        state.ClearSinceNs = 0;
        state.Flapping = false;
        state.RecordTransition(now, policy.MaxChanges + 1);
        Publish(slot, state, AlertStatus.Resolved, now, reason.Length > 0 ? reason : wasFlapping ? "resolved after flapping stopped" : null);
    }

    private void ResolveStale(DeviceSlot slot, long now)
    {
        foreach (var state in slot.Staleness)
        {
            if (state.Phase == RulePhase.Firing)
            {
                state.LastValue = (now - state.FiringSinceNs) / 1e9;
                state.Phase = RulePhase.Resolved;
                state.ResolvedAtNs = now;
                state.RecordTransition(now, FlappingFor(state.Rule).MaxChanges + 1);
                Publish(slot, state, AlertStatus.Resolved, now, null);
            }
        }

        slot.StaleFiring = 0;
    }

    private FlappingPolicy FlappingFor(CompiledRule rule) => rule.Definition.Flapping ?? _options.DefaultFlapping;

    private void Publish(DeviceSlot slot, RuleState state, AlertStatus status, long now, string? note)
    {
        var rule = state.Rule;
        var templateContext = new TemplateContext(state.RuleName, state.Severity, state.LastValue, slot.DeviceId, slot.Family, slot.ProfileId, slot.Tags, slot.Device?.Latest, _vocabulary);
        if (state.Labels is null || status is AlertStatus.Escalated or AlertStatus.Deescalated)
        {
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (k, v) in slot.Tags)
            {
                labels[k] = v;
            }

            // Labels are rendered when the alert fires and kept: they are part of its identity downstream.
            if (state.Labels is null)
            {
                foreach (var (k, t) in rule.Labels)
                {
                    labels[k] = t.Render(templateContext);
                }
            }
            else
            {
                foreach (var (k, v) in state.Labels)
                {
                    labels[k] = v;
                }
            }

            labels["alertname"] = state.RuleName;
            labels["severity"] = state.Severity.ToString().ToLowerInvariant();
            labels["device"] = slot.DeviceId;
            labels["family"] = slot.Family;
            state.Labels = labels;
        }

        var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, t) in rule.Annotations)
        {
            annotations[k] = t.Render(templateContext);
        }

        if (note is not null)
        {
            annotations[state.Flapping ? "flapping" : "note"] = note;
        }

        state.Annotations = annotations;
        var alert = new Alert
        {
            Fingerprint = state.Fingerprint ??= Fingerprint(state.RuleName, slot),
            RuleName = state.RuleName,
            Status = status,
            Severity = state.Severity,
            Value = state.LastValue,
            ProfileId = slot.ProfileId,
            Family = slot.Family,
            DeviceId = slot.DeviceId,
            Labels = state.Labels,
            Annotations = annotations,
            StartsAt = FromNs(state.FiringSinceNs),
            EndsAt = status == AlertStatus.Resolved ? FromNs(now) : null,
            At = FromNs(now),
        };
        Transitions.Add(1, new KeyValuePair<string, object?>("status", status.ToString().ToLowerInvariant()));
        _publisher.Publish(alert);
    }

    private DeviceSlot Bind(int index)
    {
        var device = _devices[index];
        if (index >= _byIndex.Length)
        {
            Array.Resize(ref _byIndex, Math.Max(index + 1, _byIndex.Length * 2));
        }

        var key = DeviceSlot.Key(device.Profile.Id, device.DeviceId);
        var tags = device.Tags.ToArray();
        if (_byKey.TryGetValue(key, out var slot))
        {
            slot.Tags = tags;
        }
        else
        {
            slot = new DeviceSlot(device.Profile.Id, device.Profile.Family, device.DeviceId, tags) { LastReceivedNs = NowNs() };
            _byKey.Add(key, slot);
            _all.Add(slot);
            Rebind(slot, [], slot.LastReceivedNs, "");
        }

        slot.Device = device;
        slot.Latest = device.Latest;
        _byIndex[index] = new Route(slot);
        return slot;
    }

    /// <summary>Matches the current rules to a device, reusing <paramref name="previous"/> states as described in <see cref="Reload"/>.</summary>
    private void Rebind(DeviceSlot slot, IReadOnlyList<RuleState> previous, long now, string removedReason)
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
        foreach (var rule in _ruleSet.Compiled)
        {
            if (!rule.Definition.Match.Matches(slot.ProfileId, slot.Family, slot.DeviceId, slot.Tags))
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
                if (old.DefinitionHash == rule.Definition.DefinitionHash && (old.SavedWindows?.Length ?? 0) == rule.Windows.Length && (old.SavedAbsentSeenNs?.Length ?? 0) == rule.AbsentFields.Length)
                {
                    old.Rule = rule;
                    state = old;
                }
                else
                {
                    state = new RuleState(rule);
                    if (old.Phase == RulePhase.Firing)
                    {
                        state.Phase = RulePhase.Firing;
                        state.FiringSinceNs = old.FiringSinceNs;
                        state.Severity = old.Severity;
                        var same = Array.IndexOf(rule.LevelSeverities, old.Severity);
                        state.LevelIndex = same >= 0 ? same : Math.Max(0, rule.LevelSeverities.Length - 1);
                        state.Fingerprint = old.Fingerprint;
                        state.Labels = old.Labels;
                        state.Annotations = old.Annotations;
                        state.LastValue = old.LastValue;
                        state.Transitions = old.Transitions;
                        state.TransitionCount = old.TransitionCount;
                    }
                }
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
                    foreach (var (t, v) in saved[w].Samples())
                    {
                        lane.Windows[w].Add(slot.Member, t, v);
                    }
                }

                for (var i = 0; i < lane.AbsentFields; i++)
                {
                    lane.AbsentSeen(i, slot.Member) = state.SavedAbsentSeenNs is { } seen ? seen[i] : now;
                }
            }

            state.SavedWindows = null;
            state.SavedAbsentSeenNs = null;
        }

        foreach (var state in staleness)
        {
            state.SavedWindows = null;
            state.SavedAbsentSeenNs = null;
        }

        RecomputeQuiet(slot);
        slot.Staleness = staleness.ToArray();
        slot.StaleFiring = staleness.Count(s => s.Phase == RulePhase.Firing);
        foreach (var gone in byName.Values)
        {
            if (gone.Phase == RulePhase.Firing)
            {
                TryResolve(slot, gone, now, removedReason.Length > 0 ? removedReason : "rule removed");
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

        if (!ReferenceEquals(_groupsOf, _ruleSet))
        {
            _groups.Clear();
            _groupsOf = _ruleSet;
        }

        var key = string.Join("\n", rules.Select(r => r.Name));
        if (_groups.TryGetValue(key, out var shared) && shared.Rules.AsSpan().SequenceEqual(rules))
        {
            return shared;
        }

        var group = new RuleGroup(rules, _options);
        _groups[key] = group;
        return group;
    }

    private readonly record struct Route(DeviceSlot? Slot, RuleGroup? Group, int Member, double[] Latest)
    {
        public Route(DeviceSlot slot)
            : this(slot, slot.Group, slot.Member, slot.Latest)
        {
        }
    }

    private long NowNs() => (_time.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;

    private static DateTimeOffset FromNs(long ns) => DateTimeOffset.UnixEpoch.AddTicks(ns / 100);

    private static void ThrowNotObserved() => throw new InvalidOperationException("Reading.DeviceIndex is not set: call DeviceRegistry.Observe(reading) before RuleEngine.Evaluate.");
}
