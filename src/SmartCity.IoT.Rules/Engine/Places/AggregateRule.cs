using SmartCity.IoT.Core.Model;
using SmartCity.IoT.Core.Places;
using SmartCity.IoT.Rules.Compilation;
using SmartCity.IoT.Rules.Evaluation;
using SmartCity.IoT.Rules.Model;

namespace SmartCity.IoT.Rules.Engine.Places;

/// <summary>
/// One rule with <c>over:</c> at run time: its places, and per member device the last value and receive time of each
/// aggregated field. Statistics are kept incrementally: a reading replaces the member's old value in its place's sums
/// (no pass over the other members), and an extreme is searched again among the place's members only when the member
/// that held it moves away from it or goes stale. Nothing is allocated per reading.
/// </summary>
internal sealed class AggregateRule
{
    private readonly Dictionary<int, int> _entryOfPlace = []; // Place.Index -> entry
    private readonly int _fields;
    private int[] _memberEntry = [];
    private double[] _values = [];
    private long[] _seen = [];
    private bool[] _counted = [];
    private int _members;

    public AggregateRule(CompiledRule rule)
    {
        Rule = rule;
        Spec = rule.Aggregate!;
        _fields = Spec.Fields.Length;
    }

    public CompiledRule Rule { get; }

    public PlaceAggregateSpec Spec { get; }

    public List<PlaceEntry> Entries { get; } = [];

    public PlaceEntry? EntryOf(Place place) => _entryOfPlace.TryGetValue(place.Index, out var e) ? Entries[e] : null;

    public int EntryIndex(Place place, Func<Place, PlaceEntry> create)
    {
        if (!_entryOfPlace.TryGetValue(place.Index, out var e))
        {
            e = Entries.Count;
            Entries.Add(create(place));
            _entryOfPlace.Add(place.Index, e);
        }

        return e;
    }

    /// <summary>A new member counted in entry <paramref name="entry"/>; off the hot path (a device first bound).</summary>
    public int AddMember(int entry)
    {
        var m = _members++;
        if (m == _memberEntry.Length)
        {
            var size = Math.Max(16, m * 2);
            Array.Resize(ref _memberEntry, size);
            Array.Resize(ref _values, size * _fields);
            Array.Resize(ref _seen, size * _fields);
            Array.Resize(ref _counted, size * _fields);
        }

        _memberEntry[m] = entry;
        Entries[entry].AddMember(m);
        return m;
    }

    /// <summary>Takes the reading's aggregated fields into the member's place; true when any was there.</summary>
    public bool Observe(int member, Reading reading, long now, out PlaceEntry entry)
    {
        entry = Entries[_memberEntry[member]];
        var any = false;
        var fields = Spec.Fields;
        for (var f = 0; f < fields.Length; f++)
        {
            if (reading.TryGet(fields[f], out var v) && double.IsFinite(v))
            {
                Set(entry, member, f, v, now);
                any = true;
            }
        }

        if (any)
        {
            Refresh(entry);
        }

        return any;
    }

    /// <summary>Seeds a member from the device's latest values (a rebuild after a reload of the rules or the model).</summary>
    public void Seed(int member, double[] latest, long seenNs)
    {
        var entry = Entries[_memberEntry[member]];
        var fields = Spec.Fields;
        for (var f = 0; f < fields.Length; f++)
        {
            if ((uint)fields[f] < (uint)latest.Length && double.IsFinite(latest[fields[f]]))
            {
                Set(entry, member, f, latest[fields[f]], seenNs);
            }
        }

        Refresh(entry);
    }

    /// <summary>Leaves out every member silent (for a field) longer than stale_after; marks the places that changed.</summary>
    public void DropStale(long now)
    {
        var limit = now - Spec.StaleAfterNs;
        for (var m = 0; m < _members; m++)
        {
            for (var f = 0; f < _fields; f++)
            {
                var i = m * _fields + f;
                if (_counted[i] && _seen[i] <= limit)
                {
                    var entry = Entries[_memberEntry[m]];
                    Remove(entry, m, f);
                    Refresh(entry);
                    entry.Dirty = true;
                }
            }
        }
    }

    private void Set(PlaceEntry entry, int m, int f, double v, long now)
    {
        ref var st = ref entry.Stats[f];
        var i = m * _fields + f;
        if (_counted[i])
        {
            st.Sum -= _values[i];
            st.Count--;
        }

        _values[i] = v;
        _seen[i] = now;
        _counted[i] = true;
        st.Sum += v;
        st.Count++;
        if (st.Count == 1)
        {
            st.Sum = v; // no drift carried over from earlier members
            st.Min = st.Max = v;
            st.MinMember = st.MaxMember = m;
            return;
        }

        if (v <= st.Min)
        {
            st.Min = v;
            st.MinMember = m;
        }
        else if (st.MinMember == m)
        {
            Rescan(entry, f); // the extreme moved away from the minimum: another member may hold it now
        }

        if (v >= st.Max)
        {
            st.Max = v;
            st.MaxMember = m;
        }
        else if (st.MaxMember == m)
        {
            Rescan(entry, f);
        }
    }

    private void Remove(PlaceEntry entry, int m, int f)
    {
        ref var st = ref entry.Stats[f];
        var i = m * _fields + f;
        _counted[i] = false;
        st.Count--;
        if (st.Count == 0)
        {
            st.Reset();
            return;
        }

        st.Sum -= _values[i];
        if (st.MinMember == m || st.MaxMember == m)
        {
            Rescan(entry, f);
        }
    }

    private void Rescan(PlaceEntry entry, int f)
    {
        ref var st = ref entry.Stats[f];
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        int minMember = -1, maxMember = -1;
        var members = entry.Members;
        for (var k = 0; k < entry.MemberCount; k++)
        {
            var i = members[k] * _fields + f;
            if (!_counted[i])
            {
                continue;
            }

            var v = _values[i];
            if (v < min)
            {
                min = v;
                minMember = members[k];
            }

            if (v > max)
            {
                max = v;
                maxMember = members[k];
            }
        }

        st.Min = min;
        st.MinMember = minMember;
        st.Max = max;
        st.MaxMember = maxMember;
    }

    private void Refresh(PlaceEntry entry)
    {
        var terms = Spec.Terms;
        var values = entry.Values;
        for (var k = 0; k < terms.Length; k++)
        {
            var (f, function) = terms[k];
            ref readonly var st = ref entry.Stats[f];
            values[k] = function switch
            {
                AggregateFunction.Count => st.Count,
                _ when st.Count == 0 => double.NaN,
                AggregateFunction.Avg => st.Sum / st.Count,
                AggregateFunction.Min => st.Min,
                AggregateFunction.Max => st.Max,
                _ => st.Sum,
            };
        }
    }
}
