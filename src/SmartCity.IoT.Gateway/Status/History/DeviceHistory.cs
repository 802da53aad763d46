using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using SmartCity.IoT.Core.Devices;

namespace SmartCity.IoT.Gateway.Status.History;

/// <summary>
/// The recent values of each device's fields for charts, in memory, bounded: one point per field per <see cref="StatusOptions.HistoryInterval"/>
/// (the latest value then), <see cref="StatusOptions.HistoryPoints"/> points in a ring, for at most <see cref="StatusOptions.HistoryMaxDevices"/>
/// devices: at most devices × reported fields × points × 4 bytes. Sampled by <see cref="HistorySampler"/> from the registry's latest values,
/// so the pipeline does no work and allocates nothing for it. One writer (the sampler), any number of readers.
/// </summary>
internal sealed class DeviceHistory
{
    private readonly int _points;
    private readonly int _maxDevices;
    private readonly long _silentAfterMs;
    private readonly long[] _times;
    private readonly ConcurrentDictionary<int, ConcurrentDictionary<int, float[]>> _series = new();
    private long _samples;

    public DeviceHistory(IOptions<StatusOptions> options)
    {
        var o = options.Value;
        _points = o.HistoryPoints;
        _maxDevices = o.HistoryMaxDevices;
        _silentAfterMs = (long)o.SilentAfter.TotalMilliseconds;
        Interval = o.HistoryInterval;
        _times = new long[_points];
    }

    public TimeSpan Interval { get; }

    /// <summary>How far back a full history reaches.</summary>
    public TimeSpan Span => Interval * _points;

    public int Points => _points;

    public int MaxDevices => _maxDevices;

    /// <summary>Devices that have a history now.</summary>
    public int DeviceCount => _series.Count;

    /// <summary>Bytes held by the value rings (the bound the README states).</summary>
    public long Bytes => _series.Values.Sum(s => (long)s.Count) * _points * sizeof(float) + _times.Length * sizeof(long);

    /// <summary>Takes one point for every device: its latest value, or a gap while it is silent.</summary>
    public void Sample(DeviceRegistry registry, DateTimeOffset now)
    {
        var nowMs = now.ToUnixTimeMilliseconds();
        var n = Volatile.Read(ref _samples);
        var slot = (int)(n % _points);
        _times[slot] = nowMs;
        var count = Math.Min(registry.Count, _maxDevices);
        for (var i = 0; i < count; i++)
        {
            var device = registry[i];
            var fields = _series.GetOrAdd(device.Index, static _ => new ConcurrentDictionary<int, float[]>());
            var fresh = device.Online && device.LastSeenUnixNs / 1_000_000 >= nowMs - _silentAfterMs;
            var latest = device.Latest;
            for (var id = 0; id < latest.Length; id++)
            {
                var v = latest[id];
                if (fields.TryGetValue(id, out var ring))
                {
                    ring[slot] = fresh ? (float)v : float.NaN;
                }
                else if (fresh && !double.IsNaN(v))
                {
                    ring = new float[_points];
                    Array.Fill(ring, float.NaN);
                    ring[slot] = (float)v;
                    fields[id] = ring;
                }
            }
        }

        Volatile.Write(ref _samples, n + 1);
    }

    /// <summary>The vocabulary ids of the fields the device has a history of.</summary>
    public IReadOnlyList<int> FieldsOf(int deviceIndex) =>
        _series.TryGetValue(deviceIndex, out var fields) ? [.. fields.Keys.Order()] : [];

    /// <summary>The field's points, oldest first; NaN where the device was silent.</summary>
    public IReadOnlyList<(DateTimeOffset At, double Value)> Read(int deviceIndex, int fieldId)
    {
        if (!_series.TryGetValue(deviceIndex, out var fields) || !fields.TryGetValue(fieldId, out var ring))
        {
            return [];
        }

        var n = Volatile.Read(ref _samples);
        var list = new List<(DateTimeOffset, double)>((int)Math.Min(n, _points));
        for (var k = Math.Max(0, n - _points); k < n; k++)
        {
            var slot = (int)(k % _points);
            list.Add((DateTimeOffset.FromUnixTimeMilliseconds(_times[slot]), ring[slot]));
        }

        return list;
    }
}
