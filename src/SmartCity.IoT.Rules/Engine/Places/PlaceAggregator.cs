using SmartCity.IoT.Core.Model;
using SmartCity.IoT.Core.Places;
using SmartCity.IoT.Rules.Compilation;
using SmartCity.IoT.Rules.Evaluation;
using SmartCity.IoT.Rules.Model;

namespace SmartCity.IoT.Rules.Engine.Places;

/// <summary>
/// Evaluates the rules with <c>over:</c>: one alert per (rule, place), over the devices the rule matches that sit in
/// the place (or below it). A member's reading updates its place's statistics and re-evaluates that place only; the
/// tick leaves stale members out and runs <c>for</c>, <c>keep_firing_for</c> and schedule boundaries. The alert's identity
/// is the place: profile <c>place</c>, device the place id.
/// </summary>
internal sealed class PlaceAggregator(RuleLifecycle lifecycle, RuleFailures failures)
{
    public const string ProfileId = "place";

    private AggregateRule[] _rules = [];
    private Membership[]?[] _byDevice = [];
    private PlaceBindings? _bindings;

    /// <summary>Whether any rule aggregates over places (readings skip the aggregator otherwise).</summary>
    public bool Any { get; private set; }

    /// <summary>
    /// Rebuilds memberships for new rules or a new model. The state of a (rule, place) that still exists is kept (its
    /// rule replaced); members start from their devices' latest values; an alert whose rule or place is gone resolves.
    /// </summary>
    public void Rebuild(IReadOnlyList<CompiledRule> compiled, PlaceBindings bindings, List<DeviceSlot> slots, long now)
    {
        var old = new Dictionary<string, PlaceEntry>(StringComparer.Ordinal);
        foreach (var rule in _rules)
        {
            foreach (var entry in rule.Entries)
            {
                old[Key(rule.Rule.Name, entry.Slot.DeviceId)] = entry;
            }
        }

        _bindings = bindings;
        _rules = compiled.Where(r => r.Aggregate is not null).Select(r => new AggregateRule(r)).ToArray();
        Any = _rules.Length > 0;
        _byDevice = [];
        foreach (var slot in slots)
        {
            if (slot.Device is { } device)
            {
                Join(slot, device.Index, seed: true, old);
            }
        }

        foreach (var (_, entry) in old)
        {
            if (entry.State.Phase == RulePhase.Firing)
            {
                lifecycle.TryResolve(entry.Slot, entry.State, now, "rule removed, or the place left the building model");
            }
        }
    }

    /// <summary>A device bound for the first time (or again after a restore): counts it in the places of its rules.</summary>
    public void Join(DeviceSlot slot, int deviceIndex) => Join(slot, deviceIndex, seed: false, null);

    /// <summary>Hot path: a reading of a bound device. Allocates nothing unless an alert transitions.</summary>
    public void Observe(int deviceIndex, Reading reading, long now)
    {
        if ((uint)deviceIndex >= (uint)_byDevice.Length || _byDevice[deviceIndex] is not { } memberships)
        {
            return;
        }

        for (var i = 0; i < memberships.Length; i++)
        {
            var (rule, member) = memberships[i];
            try
            {
                if (rule.Observe(member, reading, now, out var entry))
                {
                    Evaluate(rule, entry, now);
                }
            }
            catch (Exception ex)
            {
                failures.Record(rule.Rule, slotOf(rule, member), ex, now);
            }
        }

        static DeviceSlot slotOf(AggregateRule rule, int member) => rule.Entries.Count > 0 ? rule.Entries[0].Slot : new DeviceSlot(ProfileId, ProfileId, "?", []);
    }

    /// <summary>Once a second: stale members out, then every place that changed, is pending or firing, or has a schedule.</summary>
    public void Tick(long now)
    {
        foreach (var rule in _rules)
        {
            try
            {
                rule.DropStale(now);
                var scheduled = rule.Rule.Schedule is not null;
                foreach (var entry in rule.Entries)
                {
                    if (entry.Dirty || scheduled || entry.State.Phase is RulePhase.Pending or RulePhase.Firing)
                    {
                        entry.Dirty = false;
                        Evaluate(rule, entry, now);
                    }
                }
            }
            catch (Exception ex)
            {
                failures.Record(rule.Rule, rule.Entries.Count > 0 ? rule.Entries[0].Slot : new DeviceSlot(ProfileId, ProfileId, "?", []), ex, now);
            }
        }
    }

    /// <summary>Every (rule, place) state, for the status page and tests.</summary>
    public IEnumerable<(DeviceSlot Slot, RuleState State)> States() =>
        _rules.SelectMany(r => r.Entries.Select(e => (e.Slot, e.State)));

    public PlaceEntry? Find(string ruleName, string placeId)
    {
        foreach (var rule in _rules)
        {
            if (rule.Rule.Name == ruleName && _bindings?.Model.Find(placeId) is { } place)
            {
                return rule.EntryOf(place);
            }
        }

        return null;
    }

    /// <summary>The current value of every aggregate term of a (rule, place) (tests, the status page).</summary>
    public double[]? ValuesOf(string ruleName, string placeId) => Find(ruleName, placeId)?.Values;

    private void Evaluate(AggregateRule rule, PlaceEntry entry, long now)
    {
        var ctx = new EvalContext(entry.Values, now, entry.Slot.Tags, null, 0, entry.Slot.Place);
        var fire = rule.Rule.EvaluateLevels(ctx, out var level);
        lifecycle.Step(entry.Slot, entry.State, ctx, fire, level);
    }

    private void Join(DeviceSlot slot, int deviceIndex, bool seed, Dictionary<string, PlaceEntry>? old)
    {
        if (_rules.Length == 0 || _bindings is null || slot.Place?.Place is not { } devicePlace || deviceIndex < 0)
        {
            return;
        }

        if (deviceIndex < _byDevice.Length && _byDevice[deviceIndex] is not null)
        {
            return; // already counted (bound again after a restore)
        }

        var memberships = new List<Membership>();
        foreach (var rule in _rules)
        {
            if (!rule.Rule.Definition.Match.Matches(slot.ProfileId, slot.Family, slot.DeviceId, slot.Tags) || rule.Spec.PlaceFor(devicePlace) is not { } place)
            {
                continue;
            }

            var entry = rule.EntryIndex(place, p => NewEntry(rule, p, old));
            var member = rule.AddMember(entry);
            if (seed)
            {
                rule.Seed(member, slot.Latest, slot.LastReceivedNs);
            }

            memberships.Add(new Membership(rule, member));
        }

        if (memberships.Count == 0)
        {
            return;
        }

        if (deviceIndex >= _byDevice.Length)
        {
            Array.Resize(ref _byDevice, Math.Max(deviceIndex + 1, _byDevice.Length * 2));
        }

        _byDevice[deviceIndex] = [.. memberships];
    }

    private PlaceEntry NewEntry(AggregateRule rule, Place place, Dictionary<string, PlaceEntry>? old)
    {
        var slot = new DeviceSlot(ProfileId, ProfileId, place.Id, PlaceLabels.Tags(place)) { Place = _bindings!.For(place) };
        var state = new RuleState(rule.Rule);
        if (old is not null && old.Remove(Key(rule.Rule.Name, place.Id), out var previous))
        {
            // Same rule and place: the alert carries on (same fingerprint), re-checked against the new aggregates.
            state = previous.State;
            state.Rule = rule.Rule;
            if (state.Phase == RulePhase.Firing)
            {
                state.LevelIndex = RuleBinder.LevelOf(rule.Rule, state.Severity);
            }

            slot.LastReceivedNs = previous.Slot.LastReceivedNs;
        }

        return new PlaceEntry(slot, state, rule.Spec.Fields.Length, rule.Spec.Terms.Length);
    }

    private static string Key(string rule, string placeId) => rule + "\n" + placeId;

    private readonly record struct Membership(AggregateRule Rule, int Member);
}
