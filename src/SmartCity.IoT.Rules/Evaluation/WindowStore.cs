using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SmartCity.IoT.Rules.Engine;

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
/// <para>
/// A bucketed window (<see cref="BucketWidthNs"/> &gt; 0, long windows: see <see cref="RuleEngineOptions.BucketWindowsFrom"/>)
/// keeps per member a fixed ring of <see cref="WindowBucket"/>s instead of samples, aligned on multiples of the width:
/// memory per member is bounded by (buckets + 2) × <see cref="WindowBucket.Bytes"/> whatever the reporting rate. A bucket
/// stays while its newest sample is inside the window, so the window of length d holds every sample of (now - d, now]
/// and at most one bucket width more: (now - d - width, now]. Over that set every function is exact.
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
    private readonly int _bucketCapacity;
    private Sample[]?[] _heap = new Sample[]?[16];
    private WindowBucket[]?[] _buckets = [];

    /// <summary>
    /// A window whose header and ring live at the given offsets (in longs) of each member's block; bucketed when
    /// <paramref name="bucketWidthNs"/> &gt; 0 (then only the header is in the block, see <see cref="RingLongs(int, int, bool)"/>).
    /// </summary>
    public WindowStore(MemberArena arena, int headerOffset, int ringOffset, int initialCapacity, int maxCapacity, long bucketWidthNs = 0, int buckets = 0)
    {
        _arena = arena;
        _headerOffset = headerOffset;
        _ringOffset = ringOffset;
        InitialCapacity = InitialCapacityFor(initialCapacity);
        MaxCapacity = MaxCapacityFor(initialCapacity, maxCapacity);
        InlineCapacity = InlineCapacityFor(initialCapacity, maxCapacity);
        if (bucketWidthNs > 0)
        {
            BucketWidthNs = bucketWidthNs;
            _bucketCapacity = BucketCapacityFor(buckets);
            _buckets = new WindowBucket[]?[16];
        }
    }

    /// <summary>A store with its own arena and one member (number 0).</summary>
    public static WindowStore Standalone(int initialCapacity, int maxCapacity, long bucketWidthNs = 0, int buckets = 0)
    {
        var bucketed = bucketWidthNs > 0;
        var arena = new MemberArena(HeaderLongs + RingLongs(initialCapacity, maxCapacity, bucketed), 1);
        var store = new WindowStore(arena, 0, HeaderLongs, initialCapacity, maxCapacity, bucketWidthNs, buckets);
        store.AddMember(arena.AddMember());
        return store;
    }

    /// <summary>Longs of a member's block used by one window's ring.</summary>
    public static int RingLongs(int initialCapacity, int maxCapacity) => 2 * InlineCapacityFor(initialCapacity, maxCapacity);

    /// <summary>Longs of a member's block used by one window's ring: none for a bucketed window (its buckets are an array per member).</summary>
    public static int RingLongs(int initialCapacity, int maxCapacity, bool bucketed) => bucketed ? 0 : RingLongs(initialCapacity, maxCapacity);

    /// <summary>
    /// Buckets a member's ring holds: a window of length d = buckets × width, read at any time, spans at most buckets + 1
    /// aligned buckets, and one more lets a sample arrive before the oldest is evicted.
    /// </summary>
    public static int BucketCapacityFor(int buckets) => Math.Max(1, buckets) + 2;

    /// <summary>Most bytes one member of a window keeps: the ring of samples at its bound, or the ring of buckets.</summary>
    public static long MaxBytesPerMember(long bucketWidthNs, int buckets, int maxCapacity) =>
        (HeaderLongs * sizeof(long)) + (bucketWidthNs > 0
            ? BucketCapacityFor(buckets) * (long)WindowBucket.Bytes
            : MaxCapacityFor(1, maxCapacity) * 16L);

    /// <summary>Width of each bucket in ns, or 0 for an exact window (which keeps every sample).</summary>
    public long BucketWidthNs { get; }

    public bool IsBucketed => BucketWidthNs > 0;

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

        if (IsBucketed)
        {
            if (m >= _buckets.Length)
            {
                Array.Resize(ref _buckets, Math.Max(m + 1, _buckets.Length * 2));
            }

            BHead(m) = default;
            _buckets[m] = null; // allocated on the first sample: many devices of a group never send the field
            return;
        }

        ref var h = ref Head(m);
        h = default;
        h.Mask = InitialCapacity - 1;
        h.OnHeap = InitialCapacity > InlineCapacity;
        _heap[m] = h.OnHeap ? new Sample[InitialCapacity] : null;
    }

    /// <summary>Samples in member <paramref name="m"/>'s window.</summary>
    public int Count(int m) => IsBucketed ? BHead(m).Samples : Head(m).Count;

    /// <summary>Samples (exact) or buckets (bucketed) the member's ring can hold now.</summary>
    public int Capacity(int m) => IsBucketed ? _bucketCapacity : Head(m).Mask + 1;

    public double Sum(int m) => Head(m).Sum;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref BucketHeader BHead(int m) => ref Unsafe.As<long, BucketHeader>(ref _arena.At((m * _arena.Stride) + _headerOffset));

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
        if (IsBucketed)
        {
            AddToBucket(m, timeNs, value);
            return;
        }

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
        if (IsBucketed)
        {
            EvictBuckets(m, cutoffNs);
            return;
        }

        ref var h = ref Head(m);
        while (h.Count > 0 && At(m, h, h.Head).Time <= cutoffNs)
        {
            DropOldest(m, ref h);
        }
    }

    public double Min(int m)
    {
        if (IsBucketed)
        {
            return BucketMin(m);
        }

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
        if (IsBucketed)
        {
            return BucketMax(m);
        }

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
        if (IsBucketed)
        {
            return BucketIncrease(m);
        }

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
        if (IsBucketed)
        {
            ref var b = ref BucketAt(m, 0);
            return (b.FirstTime, b.First);
        }

        ref var h = ref Head(m);
        ref var s = ref At(m, h, h.Head);
        return (s.Time, s.Value);
    }

    public (long Time, double Value) Newest(int m)
    {
        if (IsBucketed)
        {
            ref var b = ref BucketAt(m, BHead(m).Buckets - 1);
            return (b.LastTime, b.Last);
        }

        ref var h = ref Head(m);
        ref var s = ref At(m, h, (h.Head + h.Count - 1) & h.Mask);
        return (s.Time, s.Value);
    }

    /// <summary>Member <paramref name="m"/>'s samples oldest first (checkpoints, reloads; off the hot path). An exact window only.</summary>
    public (long Time, double Value)[] Samples(int m)
    {
        if (IsBucketed)
        {
            throw new InvalidOperationException("A bucketed window keeps no samples: read its buckets.");
        }

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

    /// <summary>Buckets in member <paramref name="m"/>'s window (a bucketed window).</summary>
    public int BucketCount(int m) => BHead(m).Buckets;

    /// <summary>Bucket <paramref name="i"/> of member <paramref name="m"/>'s window, 0 the oldest (a bucketed window).</summary>
    public ref WindowBucket BucketAt(int m, int i)
    {
        var index = BHead(m).Head + i;
        return ref _buckets[m]![index >= _bucketCapacity ? index - _bucketCapacity : index];
    }

    /// <summary>Appends a whole bucket (carried contents: a reload, a checkpoint); a bucketed window only, off the hot path.</summary>
    public void AddBucket(int m, in WindowBucket bucket)
    {
        ref var h = ref BHead(m);
        var ring = _buckets[m] ??= new WindowBucket[_bucketCapacity];
        if (h.Buckets == _bucketCapacity)
        {
            DropOldestBucket(m, ref h);
        }

        ring[Wrap(h.Head + h.Buckets)] = bucket;
        h.Buckets++;
        h.Samples += bucket.Count;
        h.Sum += bucket.Sum;
    }

    /// <summary>
    /// Adds member <paramref name="m"/>'s contents to member <paramref name="tm"/> of <paramref name="target"/> (a reload,
    /// a checkpoint). Exact samples go into either kind of window; buckets only into a window of the same width. A bucketed
    /// window cannot be split back into samples, so a target of another width (the options changed) starts empty.
    /// </summary>
    public void CopyMember(int m, WindowStore target, int tm)
    {
        if (!IsBucketed)
        {
            foreach (var (t, v) in Samples(m))
            {
                target.Add(tm, t, v);
            }
        }
        else if (target.BucketWidthNs == BucketWidthNs)
        {
            for (var i = 0; i < BucketCount(m); i++)
            {
                target.AddBucket(tm, BucketAt(m, i));
            }
        }
    }

    private int Wrap(int index) => index >= _bucketCapacity ? index - _bucketCapacity : index;

    private void AddToBucket(int m, long timeNs, double value)
    {
        ref var h = ref BHead(m);
        var ring = _buckets[m];
        if (ring is null)
        {
            ring = new WindowBucket[_bucketCapacity];
            _buckets[m] = ring;
        }

        if (h.Buckets > 0)
        {
            ref var newest = ref ring[Wrap(h.Head + h.Buckets - 1)];
            if (newest.FirstTime / BucketWidthNs == timeNs / BucketWidthNs)
            {
                newest.Add(timeNs, value);
                h.Samples++;
                h.Sum += value;
                return;
            }
        }

        if (h.Buckets == _bucketCapacity)
        {
            DropOldestBucket(m, ref h);
        }

        ring[Wrap(h.Head + h.Buckets)] = WindowBucket.Of(timeNs, value);
        h.Buckets++;
        h.Samples++;
        h.Sum += value;
    }

    private void EvictBuckets(int m, long cutoffNs)
    {
        ref var h = ref BHead(m);
        while (h.Buckets > 0 && BucketAt(m, 0).LastTime <= cutoffNs)
        {
            DropOldestBucket(m, ref h);
        }
    }

    private void DropOldestBucket(int m, ref BucketHeader h)
    {
        h.Samples -= _buckets[m]![h.Head].Count;
        h.Head = Wrap(h.Head + 1);
        h.Buckets--;
        // A few buckets: summing them again keeps rounding from accumulating, once per bucket width at most.
        double sum = 0;
        for (var i = 0; i < h.Buckets; i++)
        {
            sum += BucketAt(m, i).Sum;
        }

        h.Sum = sum;
    }

    private double BucketMin(int m)
    {
        var n = BHead(m).Buckets;
        if (n == 0)
        {
            return double.NaN;
        }

        var min = double.PositiveInfinity;
        for (var i = 0; i < n; i++)
        {
            min = Math.Min(min, BucketAt(m, i).Min);
        }

        return min;
    }

    private double BucketMax(int m)
    {
        var n = BHead(m).Buckets;
        if (n == 0)
        {
            return double.NaN;
        }

        var max = double.NegativeInfinity;
        for (var i = 0; i < n; i++)
        {
            max = Math.Max(max, BucketAt(m, i).Max);
        }

        return max;
    }

    private double BucketIncrease(int m)
    {
        ref var h = ref BHead(m);
        if (h.Samples < 2)
        {
            return double.NaN;
        }

        var total = 0.0;
        var previous = BucketAt(m, 0).First;
        for (var i = 0; i < h.Buckets; i++)
        {
            ref var b = ref BucketAt(m, i);
            total += (b.First >= previous ? b.First - previous : b.First) + b.Increase;
            previous = b.Last;
        }

        return total;
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

    // The same 24 bytes as Header, for a bucketed window.
    private struct BucketHeader
    {
        public double Sum;
        public int Head; // index of the oldest bucket
        public int Buckets;
        public int Samples;
        public int Unused;
    }

    private struct Sample
    {
        public long Time;
        public double Value;
    }
}
