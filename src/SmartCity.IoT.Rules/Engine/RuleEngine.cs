using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Core.Model;
using SmartCity.IoT.Core.Places;
using SmartCity.IoT.Rules.Engine.Places;
using SmartCity.IoT.Rules.Evaluation;
using SmartCity.IoT.Rules.Model;

namespace SmartCity.IoT.Rules.Engine;

/// <summary>
/// Evaluates rules per (rule, device) and publishes alert transitions. The single owner of the running
/// <see cref="RuleSet"/>: read it from <see cref="Rules"/> (or follow <see cref="RulesReloaded"/>) rather than keeping a copy.
/// <para>
/// <b>Not thread-safe</b>: the host serializes <see cref="Evaluate"/>, <see cref="Tick"/>, <see cref="Reload"/>,
/// <see cref="SaveCheckpoint"/>, <see cref="RestoreCheckpoint"/> and <see cref="ActiveAlerts"/> with one lock.
/// <see cref="Rules"/>, <see cref="RuleCount"/> and <see cref="RulesVersion"/> may be read from any thread.
/// </para>
/// <para>
/// Time: every rule clock (hold times, windows, absent(), staleness) uses the injected <see cref="TimeProvider"/> at the
/// moment a reading is evaluated (receive-time semantics), not the reading's timestamp, which may come from a device
/// clock that is wrong or replayed. <see cref="DeviceState.LastSeenUnixNs"/> is therefore not used for staleness.
/// The engine's clock never runs backwards: a wall clock stepped back holds at the latest time seen until it catches up,
/// so windows stay in time order and no span is negative.
/// </para>
/// <para>
/// Failures: a rule whose evaluation throws (a bug) is counted, logged once and listed in <see cref="BrokenRules"/>; the
/// other rules run and <see cref="Evaluate"/>, <see cref="Tick"/> and <see cref="ObserveAvailability"/> return normally,
/// so the reading is stored.
/// </para>
/// </summary>
public sealed class RuleEngine
{
    // Stands for a failure outside any one rule (binding a device to its rules) in BrokenRules.
    private static readonly Compilation.CompiledRule EngineRule = Compilation.PlaceholderRule.Create("(engine)", RuleKind.Threshold, "");

    private readonly FieldVocabulary _vocabulary;
    private readonly DeviceRegistry _devices;
    private readonly TimeProvider _time;
    private readonly RuleEngineOptions _options;
    private readonly double[] _noValues;
    private readonly DeviceTable _slots = new();
    private readonly RuleBinder _binder;
    private readonly RuleEvaluator _evaluator;
    private readonly RuleTimers _timers;
    private readonly RuleFailures _failures;
    private readonly AlertAdoption _adoption;
    private readonly PlaceAggregator _places;
    private PlaceBindings _bindings = new(BuildingModel.Empty);
    private BuildingModel? _pendingModel;
    private readonly ILogger _logger;
    private readonly PlaceAttributeWarnings _attributeWarnings;
    private readonly Dictionary<string, long> _replayFloors = new(StringComparer.Ordinal);
    private long _rulesVersion = 1;
    private long _stateVersion;
    private long _lastNowNs;

    /// <param name="logger">Where the first failure of each broken rule is logged (none when null).</param>
    /// <exception cref="ArgumentException">The rules were compiled against another vocabulary, or <paramref name="options"/> are out of range.</exception>
    public RuleEngine(RuleSet rules, FieldVocabulary vocabulary, DeviceRegistry devices, IAlertSink sink, TimeProvider time, RuleEngineOptions? options = null, ILogger<RuleEngine>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(rules);
        _vocabulary = vocabulary ?? throw new ArgumentNullException(nameof(vocabulary));
        _devices = devices ?? throw new ArgumentNullException(nameof(devices));
        ArgumentNullException.ThrowIfNull(sink);
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _options = options ?? new RuleEngineOptions();
        _options.ThrowIfInvalid(nameof(options));
        CheckVocabulary(rules);

        _noValues = new double[vocabulary.Count];
        Array.Fill(_noValues, double.NaN);
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _failures = new RuleFailures(_logger);
        var lifecycle = new RuleLifecycle(new AlertBuilder(vocabulary), sink, _options.DefaultFlapping, _failures);
        _binder = new RuleBinder(rules, _options, lifecycle);
        _adoption = new AlertAdoption(lifecycle);
        _evaluator = new RuleEvaluator(vocabulary, lifecycle, _failures);
        _timers = new RuleTimers(lifecycle, _failures, _noValues);
        _places = new PlaceAggregator(lifecycle, _failures);
        _attributeWarnings = new PlaceAttributeWarnings(_logger);
        _places.Rebuild(rules.Compiled, _bindings, _slots.All, NowNs());
    }

    /// <summary>
    /// Raised after <see cref="Reload"/> has bound every device to the new rules, on the reloading thread and inside
    /// whatever lock the host holds around <see cref="Reload"/>: handlers should only take note (swap a reference, log).
    /// </summary>
    public event EventHandler<RulesReloadedEventArgs>? RulesReloaded;

    public int RuleCount => Rules.Count;

    /// <summary>The rules running now (immutable; replaced as a whole by <see cref="Reload"/>).</summary>
    public RuleSet Rules => _binder.Rules;

    /// <summary>1 for the constructor's rules, one more after each <see cref="Reload"/>.</summary>
    public long RulesVersion => Interlocked.Read(ref _rulesVersion);

    /// <summary>
    /// Rules whose evaluation failed since they were loaded (ordered by name), for the status page. An immutable snapshot
    /// replaced on each failure: any thread may read it, without the host's lock. A reload clears the rules it replaces.
    /// </summary>
    public IReadOnlyList<BrokenRule> BrokenRules => _failures.Snapshot;

    /// <summary>Devices the engine tracks (including ones restored from a checkpoint and not yet seen again).</summary>
    public int DeviceCount => _slots.All.Count;

    /// <summary>
    /// Hot path. <paramref name="reading"/> must have been passed to <see cref="DeviceRegistry.Observe"/> (so
    /// <see cref="Reading.DeviceIndex"/> is set and the device's latest values include this reading).
    /// A rule is evaluated when the reading carries one of the fields its expressions name (absent() rules on every reading);
    /// field references read the device's latest value. Allocates nothing unless an alert transitions.
    /// Never throws for a failing rule (see <see cref="BrokenRules"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The reading was not passed to <see cref="DeviceRegistry.Observe"/> (a caller bug).</exception>
    public void Evaluate(Reading reading)
    {
        var index = reading.DeviceIndex;
        if (index < 0)
        {
            ThrowNotObserved();
        }

        EvaluateAt(reading, index, NowNs());
    }

    /// <summary>
    /// Evaluates a reading replayed from a stream into the rules only, after <see cref="RestorePartition"/>: what the
    /// partition's previous owner evaluated after its last checkpoint. The rule clock is <paramref name="atUnixNs"/> (when
    /// the stream stored the message, the same for every owner; never later than now), so a <c>for:</c> that began then
    /// keeps its start and windows get the samples' own times. Readings the state already reflects are skipped.
    /// </summary>
    public void Replay(Reading reading, long atUnixNs)
    {
        var index = reading.DeviceIndex;
        if (index < 0)
        {
            ThrowNotObserved();
        }

        EvaluateAt(reading, index, Math.Min(atUnixNs, NowNs()), replay: true);
    }

    private void EvaluateAt(Reading reading, int index, long now, bool replay = false)
    {
        DeviceSlot? slot = null;
        try
        {
            slot = _slots.Find(index) ?? Bind(index);
            if (replay)
            {
                // A device first seen in the replay starts at the replayed time; otherwise the device's own clock never
                // runs backwards (its windows stay in time order), though the old owner's was a little behind the stream.
                if (slot.LastSequence == 0 && slot.LastReceivedNs > now)
                {
                    slot.LastReceivedNs = now;
                }

                now = Math.Max(now, slot.LastReceivedNs);
            }

            var at = reading.TimestampNs;
            if (at <= slot.EvaluatedUpToNs && reading.Redelivered)
            {
                ReplaysSkipped++; // its effect is in the restored state already (a checkpoint, or a committed transition)
                return;
            }

            if (reading.StreamSequence > 0)
            {
                if (reading.StreamSequence <= slot.LastSequence)
                {
                    ReplaysSkipped++; // a stream message the state reflects (checkpointed, or replayed at a takeover)
                    return;
                }

                slot.LastSequence = reading.StreamSequence;
                slot.Partition = reading.Partition;
            }

            slot.EvaluatedUpToNs = Math.Max(slot.EvaluatedUpToNs, at);
            _stateVersion++;
            _evaluator.Evaluate(slot, reading, now);
            if (_places.Any)
            {
                _places.Observe(index, reading, now);
            }
            _timers.Touched(slot);
        }
        catch (Exception ex)
        {
            // Each rule's failure is caught in the evaluator; this is binding the device to its rules failing (or a bug
            // outside any rule).
            _failures.Record(EngineRule, slot ?? UnboundSlot(index), ex, now);
        }
    }

    /// <summary>
    /// The device's availability (last-will) topic said online or offline: call after setting
    /// <see cref="DeviceState.Online"/>. Online counts as a message from a live device: its staleness clock restarts and
    /// its firing staleness alerts resolve (the value is how long it was silent). Offline fires staleness on the next
    /// <see cref="Tick"/>. Never throws for a failing rule.
    /// </summary>
    public void ObserveAvailability(DeviceState device)
    {
        ArgumentNullException.ThrowIfNull(device);
        var now = NowNs();
        DeviceSlot? slot = null;
        try
        {
            slot = _slots.Find(device.Index) ?? Bind(device.Index);
            _stateVersion++;
            _timers.Availability(slot, now);
            _timers.Touched(slot);
        }
        catch (Exception ex)
        {
            _failures.Record(EngineRule, slot ?? UnboundSlot(device.Index), ex, now);
        }
    }

    /// <summary>
    /// Timers, called by the host about once a second: device staleness, absent() without any reading, a pending
    /// <c>for</c> that expires without a new reading, keep_firing_for expiry, and flapping holds that age out. Looks only
    /// at the devices with something due (see <see cref="RuleTimers"/>), so a quiet estate costs next to nothing.
    /// </summary>
    public void Tick()
    {
        if (Interlocked.Exchange(ref _pendingModel, null) is { } model)
        {
            ApplyModel(model);
        }

        var now = NowNs();
        _timers.Tick(now);
        if (_timers.LastTicked > 0)
        {
            _stateVersion++;
        }

        if (_places.Any)
        {
            _places.Tick(now);
            _stateVersion++; // place aggregates age with time (stale members)
        }
    }

    /// <summary>
    /// Grows whenever the engine's state may have changed (a reading, an availability message, a tick that looked at a
    /// device, a reload, a restore, adopted alerts): a checkpoint of the same version would be the same, so a host need not
    /// write it again while the estate is quiet. Read under the host's lock, like the rest.
    /// </summary>
    public long StateVersion => _stateVersion;

    /// <summary>Devices the last <see cref="Tick"/> looked at (diagnostics, tests).</summary>
    public int LastTickedDevices => _timers.LastTicked;

    /// <summary>
    /// Replaces the rules. A (rule, device) whose rule has the same name and content keeps all its state (windows, timers,
    /// firing alert). A changed rule keeps a firing alert (same fingerprint, re-checked on the next reading) but starts its
    /// windows and timers afresh. A removed rule, or one that no longer matches a device, resolves its firing alerts.
    /// Then <see cref="RulesVersion"/> grows by one and <see cref="RulesReloaded"/> is raised.
    /// </summary>
    /// <exception cref="ArgumentException">The rules were compiled against another vocabulary (nothing changes).</exception>
    public void Reload(RuleSet rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        CheckVocabulary(rules);
        _binder.Reload(_slots.All, rules, NowNs());
        _slots.RefreshRoutes();
        RefreshPlaces(_bindings.Model, NowNs());
        _timers.TouchAll(_slots.All);
        _stateVersion++;
        _failures.Retain(rules.Compiled);
        var version = Interlocked.Increment(ref _rulesVersion);
        RulesReloaded?.Invoke(this, new RulesReloadedEventArgs(rules, version));
    }

    /// <summary>Writes all state (device identities, timers, firing alerts, window contents) to <paramref name="destination"/>.</summary>
    public void SaveCheckpoint(Stream destination) => RuleCheckpoint.Write(destination, _slots.All);

    /// <summary>
    /// Replaces the engine's state with a checkpoint. Call before the first <see cref="Evaluate"/> after a restart:
    /// pending timers continue, firing alerts stay firing without being published again, windows keep their samples.
    /// State of rules that changed or vanished while the gateway was down is handled as in <see cref="Reload"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">The stream is not a checkpoint of a supported version.</exception>
    public void RestoreCheckpoint(Stream source)
    {
        var restored = RuleCheckpoint.Read(source, _options);
        _slots.Clear();
        _timers.Clear();
        _binder.Clear();
        _adoption.Clear();
        _replayFloors.Clear();
        var now = NowNs();
        foreach (var (slot, states) in restored)
        {
            if (_slots.TryAdd(slot))
            {
                _binder.Rebind(slot, states, now, "rule removed while the gateway was down");
            }
        }

        _timers.TouchAll(_slots.All);
        _stateVersion++;
    }

    /// <summary>
    /// Writes the state of the devices of one partition (as <see cref="SaveCheckpoint"/> does for all) and returns the
    /// partition's stream position: the newest stream sequence that state reflects (0 when none).
    /// </summary>
    public long SavePartition(int partition, Stream destination)
    {
        var slots = _slots.All.Where(s => s.Partition == partition).ToList();
        RuleCheckpoint.Write(destination, slots);
        return slots.Count == 0 ? 0 : slots.Max(s => s.LastSequence);
    }

    /// <summary>
    /// Merges a partition's checkpoint (<see cref="SavePartition"/>) into the running state, as a partition's new owner
    /// does before its first message: the devices it holds replace whatever state the engine had for them, every other
    /// device is left alone. Timers continue from their absolute times, firing alerts stay firing without being published
    /// again, windows keep their samples. Returns the number of devices restored.
    /// </summary>
    /// <exception cref="InvalidDataException">The stream is not a checkpoint of a supported version.</exception>
    public int RestorePartition(int partition, Stream source)
    {
        var restored = RuleCheckpoint.Read(source, _options);
        var keys = restored.Select(r => DeviceSlot.Key(r.Slot.ProfileId, r.Slot.DeviceId)).ToHashSet(StringComparer.Ordinal);
        _slots.RemoveWhere(s => keys.Contains(DeviceSlot.Key(s.ProfileId, s.DeviceId)));
        var now = NowNs();
        var count = 0;
        foreach (var (slot, states) in restored)
        {
            slot.Partition = partition;
            if (_slots.TryAdd(slot))
            {
                _binder.Rebind(slot, states, now, "rule removed while the partition was elsewhere");
                count++;
            }
        }

        RequeueTimers();
        return count;
    }

    /// <summary>
    /// Forgets the devices of a partition this instance gave up, publishing nothing: their alerts and timers are not
    /// over, the partition's next owner carries them on from its checkpoint. Returns the number of devices dropped.
    /// (Their rule-group blocks stay allocated until the next reload rebuilds the groups.)
    /// </summary>
    public int DropPartition(int partition)
    {
        var dropped = _slots.RemoveWhere(s => s.Partition == partition);
        RequeueTimers();
        return dropped;
    }

    // The timer queue holds slots: one that was replaced or dropped must not tick (it would fire or resolve an alert of
    // a device this instance no longer owns), and a restored one must be due at its own deadlines. A takeover is rare, so
    // the queue is rebuilt from the devices that remain.
    private void RequeueTimers()
    {
        _timers.Clear();
        _timers.TouchAll(_slots.All);
        _stateVersion++;
    }

    /// <summary>
    /// Takes over alerts the outbox says are firing (<see cref="IFiringAlertSource"/>) that the engine does not know, as
    /// after a restore from a checkpoint older than them. Call after <see cref="RestoreCheckpoint"/> (which forgets adoptions
    /// still waiting) and before the first
    /// <see cref="Evaluate"/>. Each (rule, device) becomes firing with the alert's identity, start, severity, value and
    /// labels without anything being published, so the next reading that clears it publishes one Resolved. An alert of a
    /// device not seen yet waits until the device first reports. One whose rule was removed or no longer matches the
    /// device resolves (published once) with the note "rule removed or changed while the gateway was down". A state the
    /// engine has firing stays as it is, whether listed or not: the outbox not listing it is no evidence that it cleared.
    /// </summary>
    public void Adopt(IReadOnlyList<FiringAlert> firing)
    {
        ArgumentNullException.ThrowIfNull(firing);
        var now = NowNs();
        foreach (var alert in firing)
        {
            _adoption.Adopt(alert, _slots.ByKey(alert.ProfileId, alert.DeviceId), _binder.Rules, now);
        }

        _timers.TouchAll(_slots.All);
        _stateVersion++;
    }

    /// <summary>
    /// Makes the restored engine agree with the outbox, the truth about what receivers were told. <paramref name="firing"/>
    /// must be everything the outbox holds as firing (committed, routed or not). Adopts those the engine lacks
    /// (<see cref="Adopt"/>), and quietly ends, without publishing, each alert the engine has firing that the list lacks:
    /// its resolve was committed after the checkpoint was taken (the gateway writes a checkpoint only once the
    /// transitions it reflects are committed, so the outbox knew its firing). Keeping it firing would hold an alert
    /// receivers were told is over, with no resolve ever to follow.
    /// </summary>
    /// <param name="floors">
    /// Per device, the newest reading the outbox's transitions reflect (<see cref="IFiringAlertSource.ReplayFloors"/>):
    /// redelivered readings up to it (unacknowledged because the sinks had not stored them yet) made their transitions
    /// before the crash and are not evaluated again, so they cannot announce an episode a second time.
    /// </param>
    public void Reconcile(IReadOnlyList<FiringAlert> firing, IReadOnlyList<ReplayFloor> floors)
    {
        ArgumentNullException.ThrowIfNull(floors);
        foreach (var floor in floors)
        {
            if (_slots.ByKey(floor.ProfileId, floor.DeviceId) is { } known)
            {
                known.EvaluatedUpToNs = Math.Max(known.EvaluatedUpToNs, floor.UpToNs);
            }
            else
            {
                var key = DeviceSlot.Key(floor.ProfileId, floor.DeviceId);
                _replayFloors[key] = Math.Max(_replayFloors.GetValueOrDefault(key), floor.UpToNs);
            }
        }

        Adopt(firing);
        var announced = firing.Select(f => f.Fingerprint).ToHashSet(StringComparer.Ordinal);
        var now = NowNs();
        foreach (var slot in _slots.All)
        {
            AlertAdoption.ReleaseUnannounced(slot, announced, now);
        }

        _timers.TouchAll(_slots.All);
    }

    /// <summary>The building model rules read places from (<see cref="BuildingModel.Empty"/> until <see cref="UseBuildingModel"/>).</summary>
    public BuildingModel BuildingModel => _bindings.Model;

    /// <summary>
    /// Places devices with <paramref name="source"/>: <c>place.*</c> attributes, <c>during: occupied</c> and rules with
    /// <c>over:</c> read it. Call before the first <see cref="Evaluate"/> (or under the host's lock). A model replaced
    /// later (<see cref="IBuildingModelSource.Changed"/>, raised on any thread) takes effect at the next <see cref="Tick"/>.
    /// </summary>
    public void UseBuildingModel(IBuildingModelSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        source.Changed += (_, model) => Volatile.Write(ref _pendingModel, model);
        ApplyModel(source.Current);
    }

    /// <summary>Replaces the building model now (tests; the host uses <see cref="UseBuildingModel"/>). Keeps alerts of places that remain.</summary>
    public void ApplyModel(BuildingModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        RefreshPlaces(model, NowNs());
    }

    /// <summary>The phase of one (rule over places, place), or null when the rule has no member in that place.</summary>
    public RulePhase? GetPlacePhase(string ruleName, string placeId) => _places.Find(ruleName, placeId)?.State.Phase;

    /// <summary>Redelivered readings not evaluated because the rule state already reflected them (since start).</summary>
    public long ReplaysSkipped { get; private set; }

    /// <summary>Adopted alerts waiting for their device's first reading (tests, diagnostics).</summary>
    public int PendingAdoptions => _adoption.PendingCount;

    /// <summary>Pending and firing alerts, for the status page.</summary>
    public IReadOnlyList<ActiveAlertInfo> ActiveAlerts()
    {
        var list = new List<ActiveAlertInfo>();
        var now = Math.Max(UnixNanos.Now(_time), Volatile.Read(ref _lastNowNs));
        // Every device's slot, under the pipeline's gate: nothing allocated for the (many) slots with no alert.
        foreach (var slot in _slots.All)
        {
            var thresholds = slot.Thresholds;
            for (var s = 0; s < thresholds.Length; s++)
            {
                if (thresholds[s].Phase is RulePhase.Pending or RulePhase.Firing)
                {
                    list.Add(Describe(slot, s, thresholds[s], now));
                }
            }

            var staleness = slot.Staleness;
            for (var s = 0; s < staleness.Length; s++)
            {
                if (staleness[s].Phase is RulePhase.Pending or RulePhase.Firing)
                {
                    list.Add(Describe(slot, thresholds.Length + s, staleness[s], now));
                }
            }
        }

        foreach (var (slot, state) in _places.States())
        {
            if (state.Phase is RulePhase.Pending or RulePhase.Firing)
            {
                list.Add(Describe(slot, -1, state, now));
            }
        }

        return list;
    }

    /// <summary>The phase of one (rule, device), or null when the rule does not apply to it (tests, diagnostics).</summary>
    public RulePhase? GetPhase(string ruleName, string profileId, string deviceId)
    {
        if (_slots.ByKey(profileId, deviceId) is not { } slot)
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
    public static string Fingerprint(string ruleName, string profileId, string deviceId) => AlertBuilder.Fingerprint(ruleName, profileId, deviceId);

    private ActiveAlertInfo Describe(DeviceSlot slot, int s, RuleState state, long now)
    {
        // Values are computed at transitions only (hot path); the status page gets a fresh one.
        var value = state.Rule.Kind == RuleKind.Staleness
            ? (now - slot.LastReceivedNs) / 1e9
            : state.Rule.ValueOf(state.LevelIndex, slot.Context(s, slot.Device?.Latest ?? _noValues, now));
        value = double.IsNaN(value) ? state.LastValue : value;
        var since = state.Phase == RulePhase.Pending ? state.PendingSinceNs : state.FiringSinceNs;
        var severity = state.Phase == RulePhase.Pending && state.LevelIndex >= 0 && state.LevelIndex < state.Rule.LevelSeverities.Length
            ? state.Rule.LevelSeverities[state.LevelIndex]
            : state.Severity;
        return new ActiveAlertInfo(
            state.Fingerprint ?? AlertBuilder.Fingerprint(state.RuleName, slot),
            state.RuleName,
            slot.ProfileId,
            slot.Family,
            slot.DeviceId,
            severity,
            state.Phase,
            UnixNanos.ToTime(since),
            value,
            state.Flapping,
            state.Labels ?? new Dictionary<string, string>(),
            state.Annotations ?? new Dictionary<string, string>())
        {
            ValueText = state.Rule.Kind == RuleKind.Staleness ? null : state.Rule.ValueText(state.LevelIndex, value),
        };
    }

    /// <summary>Binds a device seen for the first time in this process (or since a restore) and routes its index.</summary>
    private DeviceSlot Bind(int index)
    {
        var device = _devices[index];
        var tags = device.Tags.ToArray();
        if (_slots.ByKey(device.Profile.Id, device.DeviceId) is { } slot)
        {
            slot.Tags = tags;
        }
        else
        {
            slot = new DeviceSlot(device.Profile.Id, device.Profile.Family, device.DeviceId, tags) { LastReceivedNs = NowNs() };
            if (_replayFloors.Count > 0 && _replayFloors.Remove(DeviceSlot.Key(slot.ProfileId, slot.DeviceId), out var floor))
            {
                slot.EvaluatedUpToNs = floor;
            }

            _slots.TryAdd(slot);
            _binder.Rebind(slot, [], slot.LastReceivedNs, "");
            _adoption.Bound(slot, _binder.Rules, slot.LastReceivedNs);
        }

        slot.Device = device;
        slot.Latest = device.Latest;
        slot.Place = _bindings.For(_bindings.Model.PlaceOf(device));
        _attributeWarnings.Check(slot);
        _places.Join(slot, index);
        _slots.SetRoute(index, slot);
        return slot;
    }

    /// <summary>Re-places every device in <paramref name="model"/> and rebuilds the aggregates over places (off the hot path).</summary>
    private void RefreshPlaces(BuildingModel model, long now)
    {
        if (!ReferenceEquals(model, _bindings.Model) || _bindings.AttributeCount != PlaceAttributeIds.Count)
        {
            _bindings = new PlaceBindings(model);
        }

        foreach (var slot in _slots.All)
        {
            slot.Place = slot.Device is { } device ? _bindings.For(model.PlaceOf(device)) : null;
            _attributeWarnings.Check(slot);
        }

        _places.Rebuild(_binder.Rules.Compiled, _bindings, _slots.All, now);
        if (!model.IsEmpty)
        {
            var report = PlaceRuleCheck.Check(_binder.Rules, model);
            foreach (var error in report.Errors)
            {
                PlaceRuleLog.RuleCannotFire(_logger, error.ToString());
            }

            foreach (var warning in report.Warnings)
            {
                PlaceRuleLog.RuleMissesPlaces(_logger, warning.ToWarningString());
            }
        }
    }

    private void CheckVocabulary(RuleSet rules)
    {
        if (!ReferenceEquals(rules.Vocabulary, _vocabulary) && rules.Vocabulary.Count != _vocabulary.Count)
        {
            throw new ArgumentException($"The rule set was compiled against a different vocabulary ({rules.Vocabulary.Count} fields, the engine's has {_vocabulary.Count}).", nameof(rules));
        }
    }

    /// <summary>The clock, held at the latest time seen when the wall clock steps back (see the class remarks).</summary>
    private long NowNs()
    {
        var now = UnixNanos.Now(_time);
        if (now < _lastNowNs)
        {
            return _lastNowNs;
        }

        Volatile.Write(ref _lastNowNs, now);
        return now;
    }

    private DeviceSlot UnboundSlot(int index) =>
        (uint)index < (uint)_devices.Count ? new DeviceSlot(_devices[index].Profile.Id, _devices[index].Profile.Family, _devices[index].DeviceId, []) : new DeviceSlot("?", "?", $"#{index}", []);

    private static void ThrowNotObserved() => throw new InvalidOperationException("Reading.DeviceIndex is not set: call DeviceRegistry.Observe(reading) before RuleEngine.Evaluate.");
}
