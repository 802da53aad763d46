using System.Numerics;
using System.Runtime.CompilerServices;

namespace SmartCity.IoT.Rules.Evaluation;

/// <summary>
/// Recent samples of one (rule, device, window) as a ring of (receive time, value) with a running sum, so avg() and
/// count() are O(1); min()/max() scan (windows hold a few dozen samples at typical rates). The ring's capacity is a
/// power of two; it grows by doubling up to <see cref="MaxCapacity"/> and then drops the oldest sample, so steady state
/// allocates nothing.
/// <para>
/// Up to <see cref="InlineCapacity"/> samples live inside the object itself (a 15-minute window of once-a-minute readings
/// fits): with 10,000 devices each window is one cache miss instead of two dependent ones (object, then its array).
/// Larger windows move to an array on the heap the first time they grow past it.
/// </para>
/// </summary>
internal sealed class WindowBuffer
{
    private const int ResumEvery = 4096; // recompute the running sum now and then so rounding never accumulates
    public const int InlineCapacity = 16;

    // (time, value) pairs: a sample's value shares its cache line with its timestamp. _heap is null while the ring fits
    // in _inline; Ring returns whichever holds the samples.
    private Sample[]? _heap;
    private InlineSamples _inline;
    private int _capacity;
    private int _mask;
    private int _head; // index of the oldest sample
    private int _count;
    private double _sum;
    private int _sinceResum;

    public WindowBuffer(int initialCapacity, int maxCapacity)
    {
        var capacity = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(2, initialCapacity));
        _heap = capacity > InlineCapacity ? new Sample[capacity] : null;
        _capacity = capacity;
        _mask = capacity - 1;
        MaxCapacity = Math.Max(capacity, (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(2, maxCapacity)));
    }

    public int MaxCapacity { get; }

    public int Count => _count;

    public int Capacity => _capacity;

    /// <summary>The ring's storage (its first <see cref="Capacity"/> elements are used).</summary>
    private Span<Sample> Ring
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _heap is { } heap ? heap : _inline;
    }

    public void Add(long timeNs, double value)
    {
        if (_count == _capacity)
        {
            if (_capacity < MaxCapacity)
            {
                Grow();
            }
            else
            {
                DropOldest();
            }
        }

        ref var slot = ref Ring[(_head + _count) & _mask];
        slot.Time = timeNs;
        slot.Value = value;
        _count++;
        _sum += value;
    }

    /// <summary>Drops samples at or before <paramref name="cutoffNs"/>: a window of length d is (now - d, now], as in Prometheus 3.</summary>
    public void Evict(long cutoffNs)
    {
        while (_count > 0 && Ring[_head].Time <= cutoffNs)
        {
            DropOldest();
        }
    }

    public double Sum() => _sum;

    public double Min()
    {
        if (_count == 0)
        {
            return double.NaN;
        }

        var min = double.PositiveInfinity;
        var ring = Ring;
        for (var i = 0; i < _count; i++)
        {
            var v = ring[(_head + i) & _mask].Value;
            if (v < min)
            {
                min = v;
            }
        }

        return min;
    }

    public double Max()
    {
        if (_count == 0)
        {
            return double.NaN;
        }

        var max = double.NegativeInfinity;
        var ring = Ring;
        for (var i = 0; i < _count; i++)
        {
            var v = ring[(_head + i) & _mask].Value;
            if (v > max)
            {
                max = v;
            }
        }

        return max;
    }

    public (long Time, double Value) Oldest
    {
        get
        {
            ref var s = ref Ring[_head];
            return (s.Time, s.Value);
        }
    }

    public (long Time, double Value) Newest
    {
        get
        {
            ref var s = ref Ring[(_head + _count - 1) & _mask];
            return (s.Time, s.Value);
        }
    }

    /// <summary>Samples oldest first (checkpointing; off the hot path).</summary>
    public IEnumerable<(long Time, double Value)> Samples()
    {
        for (var i = 0; i < _count; i++)
        {
            var s = _heap is { } heap ? heap[(_head + i) & _mask] : _inline[(_head + i) & _mask];
            yield return (s.Time, s.Value);
        }
    }

    private void DropOldest()
    {
        var ring = Ring;
        _sum -= ring[_head].Value;
        _head = (_head + 1) & _mask;
        _count--;
        if (_count == 0)
        {
            _sum = 0;
        }
        else if (++_sinceResum >= ResumEvery)
        {
            _sinceResum = 0;
            double sum = 0;
            for (var i = 0; i < _count; i++)
            {
                sum += ring[(_head + i) & _mask].Value;
            }

            _sum = sum;
        }
    }

    private void Grow()
    {
        var size = Math.Min(MaxCapacity, _capacity * 2);
        var ring = Ring;
        var samples = size > InlineCapacity ? new Sample[size] : null;
        Span<Sample> target = samples ?? stackalloc Sample[InlineCapacity]; // still inline: unwrap through the stack
        for (var i = 0; i < _count; i++)
        {
            target[i] = ring[(_head + i) & _mask];
        }

        if (samples is null)
        {
            target[.._count].CopyTo(_inline);
        }

        _heap = samples;
        _capacity = size;
        _mask = size - 1;
        _head = 0;
    }

    [InlineArray(InlineCapacity)]
    private struct InlineSamples
    {
        private Sample _first;
    }

    private struct Sample
    {
        public long Time;
        public double Value;
    }
}
