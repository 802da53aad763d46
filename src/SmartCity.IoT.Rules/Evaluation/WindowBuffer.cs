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
    private long[] _times;
    private double[] _values;
    private int _mask;
    private int _head; // index of the oldest sample
    private int _count;
    private double _sum;
    private int _sinceResum;

    public WindowBuffer(int initialCapacity, int maxCapacity)
    {
        var capacity = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(2, initialCapacity));
        _times = new long[capacity];
        _values = new double[capacity];
        _mask = capacity - 1;
        MaxCapacity = Math.Max(capacity, (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(2, maxCapacity)));
    }

    public int MaxCapacity { get; }

    public int Count => _count;

    public int Capacity => _times.Length;

    public void Add(long timeNs, double value)
    {
        if (_count == _times.Length)
        {
            if (_times.Length < MaxCapacity)
            {
                Grow();
            }
            else
            {
                DropOldest();
            }
        }

        var at = (_head + _count) & _mask;
        _times[at] = timeNs;
        _values[at] = value;
        _count++;
        _sum += value;
    }

    /// <summary>Drops samples older than <paramref name="cutoffNs"/> (exclusive window start).</summary>
    public void Evict(long cutoffNs)
    {
        while (_count > 0 && _times[_head] < cutoffNs)
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
        for (var i = 0; i < _count; i++)
        {
            var v = _values[(_head + i) & _mask];
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
            var v = _values[(_head + i) & _mask];
            if (v > max)
            {
                max = v;
            }
        }

        return max;
    }

    public (long Time, double Value) Oldest => (_times[_head], _values[_head]);

    public (long Time, double Value) Newest
    {
        get
        {
            var at = (_head + _count - 1) & _mask;
            return (_times[at], _values[at]);
        }
    }

    /// <summary>Samples oldest first (checkpointing; off the hot path).</summary>
    public IEnumerable<(long Time, double Value)> Samples()
    {
        for (var i = 0; i < _count; i++)
        {
            var at = (_head + i) & _mask;
            yield return (_times[at], _values[at]);
        }
    }

    private void DropOldest()
    {
        _sum -= _values[_head];
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
                sum += _values[(_head + i) & _mask];
            }

            _sum = sum;
        }
    }

    private void Grow()
    {
        var size = Math.Min(MaxCapacity, _times.Length * 2);
        var times = new long[size];
        var values = new double[size];
        for (var i = 0; i < _count; i++)
        {
            var at = (_head + i) & _mask;
            times[i] = _times[at];
            values[i] = _values[at];
        }

        _times = times;
        _values = values;
        _mask = size - 1;
        _head = 0;
    }
}
