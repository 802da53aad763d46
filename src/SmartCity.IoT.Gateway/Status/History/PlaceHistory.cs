using SmartCity.IoT.Core.Devices;

namespace SmartCity.IoT.Gateway.Status.History;

/// <summary>A place's field over time from its devices' histories: per sample, the average of the devices that had a value then.</summary>
internal static class PlaceHistory
{
    /// <summary>The points, oldest first; NaN where no device of the place had a value.</summary>
    public static List<(DateTimeOffset At, double Value)> Average(DeviceHistory history, IEnumerable<DeviceState> devices, int fieldId)
    {
        // By time, not by position: the sampler may add a point between two devices' reads.
        var byTime = new SortedDictionary<DateTimeOffset, (double Sum, int Count)>();
        foreach (var d in devices)
        {
            foreach (var (at, v) in history.Read(d.Index, fieldId))
            {
                var s = byTime.GetValueOrDefault(at);
                byTime[at] = double.IsNaN(v) ? s : (s.Sum + v, s.Count + 1);
            }
        }

        return [.. byTime.Select(kv => (kv.Key, kv.Value.Count == 0 ? double.NaN : kv.Value.Sum / kv.Value.Count))];
    }
}
