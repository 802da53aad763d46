using System.Numerics;

namespace SmartCity.IoT.Rules.Evaluation;

/// <summary>
/// One window on its own: a <see cref="WindowStore"/> with a single member. Carries window contents where no rule group
/// holds them (a checkpoint being restored, a reload moving a device to another group) and lets tests exercise the ring.
/// </summary>
internal sealed class WindowBuffer
{
    private readonly WindowStore _store;

    public WindowBuffer(int initialCapacity, int maxCapacity)
    {
        _store = WindowStore.Standalone(initialCapacity, maxCapacity);
    }

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
