using System.Numerics;

namespace SmartCity.IoT.Rules.Evaluation;

/// <summary>
/// Recent samples of one (rule, device, window) as a ring of (receive time, value) with a running sum, so avg() and
/// count() are O(1); min()/max() scan (windows hold a few dozen samples at typical rates). The ring's capacity is a
/// power of two; it grows by doubling up to <see cref="MaxCapacity"/> and then drops the oldest sample, so steady state
/// allocates nothing.
/// </summary>
internal sealed class WindowBuffer
{
    private const int ResumEvery = 4096; // recompute the running sum now and then so rounding never accumulates
    // One array of (time, value) pairs: the oldest and newest samples share cache lines with their timestamps.
    private Sample[] _samples;
    private int _mask;
    private int _head; // index of the oldest sample
    private int _count;
    private double _sum;
    private int _sinceResum;

    public WindowBuffer(int initialCapacity, int maxCapacity)
    {
        var capacity = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(2, initialCapacity));
        _samples = new Sample[capacity];
        _mask = capacity - 1;
        MaxCapacity = Math.Max(capacity, (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(2, maxCapacity)));
    }

    public int MaxCapacity { get; }

    public int Count => _count;

    public int Capacity => _samples.Length;

    public void Add(long timeNs, double value)
    {
        if (_count == _samples.Length)
        {
            if (_samples.Length < MaxCapacity)
            {
                Grow();
            }
            else
            {
                DropOldest();
            }
        }

        ref var slot = ref _samples[(_head + _count) & _mask];
        slot.Time = timeNs;
        slot.Value = value;
        _count++;
        _sum += value;
    }

    /// <summary>Drops samples at or before <paramref name="cutoffNs"/>: a window of length d is (now - d, now], as in Prometheus 3.</summary>
    public void Evict(long cutoffNs)
    {
        while (_count > 0 && _samples[_head].Time <= cutoffNs)
        {
            DropOldest();
        }
    }

    public double Sum() => _sum;

    /// <summary>Loads the oldest and newest samples' cache lines (the engine's prefetch pass); the result is meaningless.</summary>
    public int Touch()
    {
        var samples = _samples;
        return (int)samples[_head].Time + (int)samples[(_head + _count) & _mask].Time;
    }

    public double Min()
    {
        if (_count == 0)
        {
            return double.NaN;
        }

        var min = double.PositiveInfinity;
        for (var i = 0; i < _count; i++)
        {
            var v = _samples[(_head + i) & _mask].Value;
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
        for (var i = 0; i < _count; i++)
        {
            var v = _samples[(_head + i) & _mask].Value;
            if (v > max)
            {
                max = v;
            }
        }

        return max;
    }

    public (long Time, double Value) Oldest => (_samples[_head].Time, _samples[_head].Value);

    public (long Time, double Value) Newest
    {
        get
        {
            ref var s = ref _samples[(_head + _count - 1) & _mask];
            return (s.Time, s.Value);
        }
    }

    /// <summary>Samples oldest first (checkpointing; off the hot path).</summary>
    public IEnumerable<(long Time, double Value)> Samples()
    {
        for (var i = 0; i < _count; i++)
        {
            var s = _samples[(_head + i) & _mask];
            yield return (s.Time, s.Value);
        }
    }

    private void DropOldest()
    {
        _sum -= _samples[_head].Value;
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
                sum += _samples[(_head + i) & _mask].Value;
            }

            _sum = sum;
        }
    }

    private void Grow()
    {
        var size = Math.Min(MaxCapacity, _samples.Length * 2);
        var samples = new Sample[size];
        for (var i = 0; i < _count; i++)
        {
            samples[i] = _samples[(_head + i) & _mask];
        }

        _samples = samples;
        _mask = size - 1;
        _head = 0;
    }

    private struct Sample
    {
        public long Time;
        public double Value;
    }
}
