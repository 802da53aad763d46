using System.Runtime.CompilerServices;

namespace SmartCity.IoT.Rules.Evaluation;

/// <summary>
/// One flat array holding a fixed-size block per member (device) of a rule group: everything a reading of that device
/// updates in the group (steady levels, absent() clocks, window headers and rings) sits in one contiguous block found
/// by index, instead of in objects reached through references (issue 4: 10,000 devices do not fit in cache, so each
/// dependent object is a cache miss; a block is a few adjacent lines the CPU can fetch at once).
/// </summary>
internal sealed class MemberArena
{
    private long[] _data;

    public MemberArena(int strideLongs, int expectedMembers = 16)
    {
        Stride = Math.Max(1, strideLongs);
        _data = new long[Stride * Math.Max(1, expectedMembers)];
    }

    /// <summary>Block size in longs.</summary>
    public int Stride { get; }

    public int Members { get; private set; }

    /// <summary>Element <paramref name="index"/> of the region (member m's block starts at <c>m * Stride</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref long At(int index) => ref _data[index];

    /// <summary><paramref name="length"/> longs from <paramref name="index"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<long> Slice(int index, int length) => _data.AsSpan(index, length);

    /// <summary>Adds a member with a zeroed block and returns its number.</summary>
    public int AddMember()
    {
        var m = Members;
        if ((m + 1) * Stride > _data.Length)
        {
            Array.Resize(ref _data, Math.Max((m + 1) * Stride, _data.Length * 2));
        }

        _data.AsSpan(m * Stride, Stride).Clear();
        Members = m + 1;
        return m;
    }
}
