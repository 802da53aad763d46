using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SmartCity.IoT.Rules.Evaluation;

/// <summary>
/// The samples of one window of one rule for every device of a rule group (see <c>RuleGroup</c>), inside the members'
/// blocks of a <see cref="MemberArena"/>: per member a 24-byte header (ring position, count, running sum) and a ring of
/// <see cref="InlineCapacity"/> (receive time, value) samples, at fixed offsets. A reading of a window rule therefore
/// touches the member's header and the one or two sample lines at the ring's ends, found by index without loading any
/// per-device object first (issue 4: 10,000 devices do not fit in cache).
/// <para>
/// Per member the ring behaves like a growable ring: its capacity is a power of two, grows by doubling up to
/// <see cref="MaxCapacity"/> (past <see cref="InlineCapacity"/> it moves to an array of its own) and then drops the oldest
/// sample, so steady state allocates nothing. avg() and count() are O(1) from the running sum; min()/max() scan.
/// </para>
/// </summary>
internal sealed class WindowStore
{
    private const int ResumEvery = 4096; // recompute the running sum now and then so rounding never accumulates
    public const int DefaultInlineCapacity = 16;

    /// <summary>Longs of a member's block used by one window's header.</summary>
    public const int HeaderLongs = 3;

    private readonly MemberArena _arena;
    private readonly int _headerOffset;
    private readonly int _ringOffset;
    private Sample[]?[] _heap = new Sample[]?[16];

    /// <summary>A window whose header and ring live at the given offsets (in longs) of each member's block.</summary>
    public WindowStore(MemberArena arena, int headerOffset, int ringOffset, int initialCapacity, int maxCapacity)
    {
        _arena = arena;
        _headerOffset = headerOffset;
        _ringOffset = ringOffset;
        InitialCapacity = InitialCapacityFor(initialCapacity);
        MaxCapacity = MaxCapacityFor(initialCapacity, maxCapacity);
        InlineCapacity = InlineCapacityFor(initialCapacity, maxCapacity);
    }

    /// <summary>A store with its own arena and one member (number 0).</summary>
    public static WindowStore Standalone(int initialCapacity, int maxCapacity)
    {
        var arena = new MemberArena(BlockLongs(initialCapacity, maxCapacity), 1);
        var store = new WindowStore(arena, 0, HeaderLongs, initialCapacity, maxCapacity);
        store.AddMember(arena.AddMember());
        return store;
    }

    /// <summary>Longs of a member's block used by one window's ring.</summary>
    public static int RingLongs(int initialCapacity, int maxCapacity) => 2 * InlineCapacityFor(initialCapacity, maxCapacity);

    public static int BlockLongs(int initialCapacity, int maxCapacity) => HeaderLongs + RingLongs(initialCapacity, maxCapacity);

    private static int InitialCapacityFor(int initialCapacity) => (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(2, initialCapacity));

    private static int MaxCapacityFor(int initialCapacity, int maxCapacity) =>
        Math.Max(InitialCapacityFor(initialCapacity), (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(2, maxCapacity)));

    private static int InlineCapacityFor(int initialCapacity, int maxCapacity) => Math.Min(DefaultInlineCapacity, MaxCapacityFor(initialCapacity, maxCapacity));

    public int InitialCapacity { get; }

    public int MaxCapacity { get; }

    /// <summary>Samples per member held in the member's block; larger rings get an array of their own.</summary>
    public int InlineCapacity { get; }

    /// <summary>Starts member <paramref name="m"/>'s window empty (its block was just added to the arena).</summary>
    public void AddMember(int m)
    {
        if (m >= _heap.Length)
        {
            Array.Resize(ref _heap, Math.Max(m + 1, _heap.Length * 2));
        }

        ref var h = ref Head(m);
        h = default;
        h.Mask = InitialCapacity - 1;
        h.OnHeap = InitialCapacity > InlineCapacity;
        _heap[m] = h.OnHeap ? new Sample[InitialCapacity] : null;
    }

    public int Count(int m) => Head(m).Count;

    public int Capacity(int m) => Head(m).Mask + 1;

    public double Sum(int m) => Head(m).Sum;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref Header Head(int m) => ref Unsafe.As<long, Header>(ref _arena.At((m * _arena.Stride) + _headerOffset));

    /// <summary>Member <paramref name="m"/>'s ring (its first <see cref="Capacity"/> elements are used).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Span<Sample> Ring(int m, in Header h) =>
        h.OnHeap ? _heap[m] : MemoryMarshal.Cast<long, Sample>(_arena.Slice((m * _arena.Stride) + _ringOffset, 2 * InlineCapacity));

    /// <summary>
    /// Sample <paramref name="i"/> of member <paramref name="m"/>'s ring (hot path: no span is built). <paramref name="i"/>
    /// is always masked by the header's capacity - 1, within the inline ring (or the member's own array, bounds-checked).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref Sample At(int m, in Header h, int i) =>
        ref h.OnHeap
            ? ref _heap[m]![i]
            : ref Unsafe.Add(ref Unsafe.As<long, Sample>(ref _arena.At((m * _arena.Stride) + _ringOffset)), (uint)i & (uint)(InlineCapacity - 1));

    public void Add(int m, long timeNs, double value)
    {
        ref var h = ref Head(m);
        if (h.Count == h.Mask + 1)
        {
            if (h.Mask + 1 < MaxCapacity)
            {
                Grow(m, ref h);
            }
            else
            {
                DropOldest(m, ref h);
            }
        }

        ref var slot = ref At(m, h, (h.Head + h.Count) & h.Mask);
        slot.Time = timeNs;
        slot.Value = value;
        h.Count++;
        h.Sum += value;
    }

    /// <summary>Drops samples at or before <paramref name="cutoffNs"/>: a window of length d is (now - d, now], as in Prometheus 3.</summary>
    public void Evict(int m, long cutoffNs)
    {
        ref var h = ref Head(m);
        while (h.Count > 0 && At(m, h, h.Head).Time <= cutoffNs)
        {
            DropOldest(m, ref h);
        }
    }

    public double Min(int m)
    {
        ref var h = ref Head(m);
        if (h.Count == 0)
        {
            return double.NaN;
        }

        var min = double.PositiveInfinity;
        var ring = Ring(m, h);
        for (var i = 0; i < h.Count; i++)
        {
            var v = ring[(h.Head + i) & h.Mask].Value;
            if (v < min)
            {
                min = v;
            }
        }

        return min;
    }

    public double Max(int m)
    {
        ref var h = ref Head(m);
        if (h.Count == 0)
        {
            return double.NaN;
        }

        var max = double.NegativeInfinity;
        var ring = Ring(m, h);
        for (var i = 0; i < h.Count; i++)
        {
            var v = ring[(h.Head + i) & h.Mask].Value;
            if (v > max)
            {
                max = v;
            }
        }

        return max;
    }

    /// <summary>
    /// How much a counter grew over the samples held: the sum of the steps between consecutive samples, where a step down
    /// is a reset (or a wrap of the device's register) and counts as the new value, the counter having restarted from 0.
    /// </summary>
    public double Increase(int m)
    {
        ref var h = ref Head(m);
        if (h.Count < 2)
        {
            return double.NaN;
        }

        var ring = Ring(m, h);
        var previous = ring[h.Head & h.Mask].Value;
        var total = 0.0;
        for (var i = 1; i < h.Count; i++)
        {
            var v = ring[(h.Head + i) & h.Mask].Value;
            total += v >= previous ? v - previous : v;
            previous = v;
        }

        return total;
    }

    public (long Time, double Value) Oldest(int m)
    {
        ref var h = ref Head(m);
        ref var s = ref At(m, h, h.Head);
        return (s.Time, s.Value);
    }

    public (long Time, double Value) Newest(int m)
    {
        ref var h = ref Head(m);
        ref var s = ref At(m, h, (h.Head + h.Count - 1) & h.Mask);
        return (s.Time, s.Value);
    }

    /// <summary>Member <paramref name="m"/>'s samples oldest first (checkpoints, reloads; off the hot path).</summary>
    public (long Time, double Value)[] Samples(int m)
    {
        var h = Head(m);
        var ring = Ring(m, h);
        var result = new (long, double)[h.Count];
        for (var i = 0; i < result.Length; i++)
        {
            ref var s = ref ring[(h.Head + i) & h.Mask];
            result[i] = (s.Time, s.Value);
        }

        return result;
    }

    private void DropOldest(int m, ref Header h)
    {
        h.Sum -= At(m, h, h.Head).Value;
        h.Head = (h.Head + 1) & h.Mask;
        h.Count--;
        if (h.Count == 0)
        {
            h.Sum = 0;
        }
        else if (++h.SinceResum >= ResumEvery)
        {
            h.SinceResum = 0;
            var ring = Ring(m, h);
            double sum = 0;
            for (var i = 0; i < h.Count; i++)
            {
                sum += ring[(h.Head + i) & h.Mask].Value;
            }

            h.Sum = sum;
        }
    }

    private void Grow(int m, ref Header h)
    {
        var size = Math.Min(MaxCapacity, (h.Mask + 1) * 2);
        var ring = Ring(m, h);
        var onHeap = size > InlineCapacity;
        Span<Sample> copy = stackalloc Sample[DefaultInlineCapacity];
        var samples = onHeap ? new Sample[size] : null;
        Span<Sample> target = samples ?? copy; // still inline: unwrap through the stack
        for (var i = 0; i < h.Count; i++)
        {
            target[i] = ring[(h.Head + i) & h.Mask];
        }

        if (!onHeap)
        {
            copy[..h.Count].CopyTo(MemoryMarshal.Cast<long, Sample>(_arena.Slice((m * _arena.Stride) + _ringOffset, 2 * InlineCapacity)));
        }

        _heap[m] = samples;
        h.Mask = size - 1;
        h.Head = 0;
        h.OnHeap = onHeap;
    }

    // 24 bytes (HeaderLongs), stored in the member's block.
    private struct Header
    {
        public double Sum;
        public int Head; // index of the oldest sample
        public int Count;
        public int Mask; // capacity - 1
        public ushort SinceResum;
        public bool OnHeap;
    }

    private struct Sample
    {
        public long Time;
        public double Value;
    }
}
