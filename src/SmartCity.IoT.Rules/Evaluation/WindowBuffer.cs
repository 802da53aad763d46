using System.Numerics;

namespace SmartCity.IoT.Rules.Evaluation;

/// <summary>
/// One window on its own: a <see cref="WindowStore"/> with a single member. Carries window contents where no rule group
/// holds them (a checkpoint being restored, a reload moving a device to another group) and lets tests exercise the ring.
/// </summary>
internal sealed class WindowBuffer
{
    private readonly WindowStore _store;

    /// <summary>An exact window, or a bucketed one when <paramref name="bucketWidthNs"/> &gt; 0.</summary>
    public WindowBuffer(int initialCapacity, int maxCapacity, long bucketWidthNs = 0, int buckets = 0)
    {
        _store = WindowStore.Standalone(initialCapacity, maxCapacity, bucketWidthNs, buckets);
    }

    /// <summary>A copy of member <paramref name="m"/>'s window of <paramref name="source"/> (a reload; off the hot path).</summary>
    public static WindowBuffer CopyOf(WindowStore source, int m, int initialCapacity, int maxCapacity, int buckets)
    {
        var buffer = source.IsBucketed
            ? new WindowBuffer(initialCapacity, maxCapacity, source.BucketWidthNs, buckets)
            : Holding(source.Count(m), initialCapacity, maxCapacity);
        source.CopyMember(m, buffer._store, 0);
        return buffer;
    }

    /// <summary>Adds this window's contents to member <paramref name="m"/> of <paramref name="target"/> (see <see cref="WindowStore.CopyMember"/>).</summary>
    public void CopyTo(WindowStore target, int m) => _store.CopyMember(0, target, m);

    public bool IsBucketed => _store.IsBucketed;

    public long BucketWidthNs => _store.BucketWidthNs;

    public int BucketCount => _store.BucketCount(0);

    public WindowBucket BucketAt(int i) => _store.BucketAt(0, i);

    public void AddBucket(in WindowBucket bucket) => _store.AddBucket(0, bucket);

    public double Increase() => _store.Increase(0);

    /// <summary>A window large enough for <paramref name="count"/> samples (carried contents; off the hot path).</summary>
    public static WindowBuffer Holding(int count, int initialCapacity, int maxCapacity) =>
        new(Math.Max(initialCapacity, (int)Math.Min(maxCapacity, BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, count)))), maxCapacity);

    public int MaxCapacity => _store.MaxCapacity;

    public int Count => _store.Count(0);

    public int Capacity => _store.Capacity(0);

    public void Add(long timeNs, double value) => _store.Add(0, timeNs, value);

    public void Evict(long cutoffNs) => _store.Evict(0, cutoffNs);

    public double Sum() => _store.Sum(0);

    public double Min() => _store.Min(0);

    public double Max() => _store.Max(0);

    public (long Time, double Value) Oldest => _store.Oldest(0);

    public (long Time, double Value) Newest => _store.Newest(0);

    /// <summary>Samples oldest first.</summary>
    public IEnumerable<(long Time, double Value)> Samples() => _store.Samples(0);
}
