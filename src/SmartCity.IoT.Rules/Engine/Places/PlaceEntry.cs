using SmartCity.IoT.Rules.Evaluation;

namespace SmartCity.IoT.Rules.Engine.Places;

/// <summary>
/// One (rule over places, place): the alert state (a <see cref="DeviceSlot"/> standing for the place, so the lifecycle,
/// fingerprints and labels work as for a device), per field the running statistics of the fresh members, and the
/// current value of each aggregate term (what the rule's compiled expressions read).
/// </summary>
internal sealed class PlaceEntry(DeviceSlot slot, RuleState state, int fields, int terms)
{
    public DeviceSlot Slot { get; } = slot;

    public RuleState State { get; set; } = state;

    public FieldStats[] Stats { get; } = NewStats(fields);

    /// <summary>Aggregate term values, by term.</summary>
    public double[] Values { get; } = NewValues(terms);

    /// <summary>Member numbers of the devices counted in this place.</summary>
    public int[] Members { get; private set; } = [];

    public int MemberCount { get; private set; }

    /// <summary>Statistics changed since the last evaluation (a member went stale).</summary>
    public bool Dirty;

    public void AddMember(int member)
    {
        if (MemberCount == Members.Length)
        {
            var grown = new int[Math.Max(4, Members.Length * 2)];
            Members.AsSpan().CopyTo(grown);
            Members = grown;
        }

        Members[MemberCount++] = member;
    }

    private static FieldStats[] NewStats(int fields)
    {
        var stats = new FieldStats[fields];
        for (var i = 0; i < fields; i++)
        {
            stats[i].Reset();
        }

        return stats;
    }

    private static double[] NewValues(int terms)
    {
        var values = new double[terms];
        Array.Fill(values, double.NaN);
        return values;
    }
}

/// <summary>Running statistics of one field over a place's fresh members; the extremes remember their member.</summary>
internal struct FieldStats
{
    public double Sum;
    public int Count;
    public double Min;
    public int MinMember;
    public double Max;
    public int MaxMember;

    public void Reset()
    {
        Sum = 0;
        Count = 0;
        Min = double.NaN;
        Max = double.NaN;
        MinMember = -1;
        MaxMember = -1;
    }
}
