using SmartCity.IoT.Core.Model;

namespace SmartCity.IoT.Core.Devices;

/// <summary>
/// Assigns each (profile, device id) a dense index on first sight, so rule state and latest values live in arrays.
/// Lookups take a span of the topic: a known device costs no allocation.
/// <see cref="Observe"/> is called by one pipeline thread; <see cref="Snapshot"/> may be called from any thread.
/// </summary>
public sealed class DeviceRegistry
{
    private readonly Lock _gate = new();
    private readonly int _fieldCount;
    private readonly Dictionary<DeviceProfile, Dictionary<string, int>> _byProfile = new(ReferenceEqualityComparer.Instance);
    private readonly DeviceIndexTable _pipelineIndex = new(); // the pipeline thread's own lookups (see GetOrAdd)
    private DeviceState[] _devices = new DeviceState[64];
    private int _count;

    public DeviceRegistry(int fieldCount)
    {
        _fieldCount = fieldCount;
    }

    public int Count => Volatile.Read(ref _count);

    public DeviceState this[int index] => _devices[index];

    /// <summary>Fires (off the hot path) when a device is seen for the first time.</summary>
    public event Action<DeviceState>? DeviceAdded;

    /// <summary>Registers the reading's device if new, sets <see cref="Reading.DeviceIndex"/>, and records its values as latest.</summary>
    public DeviceState Observe(Reading reading)
    {
        var profile = reading.Profile ?? throw new InvalidOperationException("Reading has no profile.");
        var index = GetOrAdd(profile, reading.DeviceId.Span, reading);
        reading.DeviceIndex = index;
        var state = _devices[index];
        var ts = reading.TimestampNs;
        foreach (var id in reading.FieldIds)
        {
            state.Latest[id] = reading.GetOrNaN(id);
            state.LatestAtNs[id] = ts;
        }

        if (ts > state.LastSeenUnixNs)
        {
            state.LastSeenUnixNs = ts;
        }

        state.CountMessage();
        return state;
    }

    public bool TryFind(DeviceProfile profile, ReadOnlySpan<char> deviceId, out DeviceState state)
    {
        lock (_gate)
        {
            if (_byProfile.TryGetValue(profile, out var map) && map.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(deviceId, out var index))
            {
                state = _devices[index];
                return true;
            }
        }

        state = null!;
        return false;
    }

    /// <summary>A copy of the device list, safe to enumerate from any thread.</summary>
    public DeviceState[] Snapshot()
    {
        lock (_gate)
        {
            return _devices.AsSpan(0, _count).ToArray();
        }
    }

    private int GetOrAdd(DeviceProfile profile, ReadOnlySpan<char> deviceId, Reading reading)
    {
        // Only the pipeline thread adds, so reading without the lock here is safe; adds take it for Snapshot's sake.
        // The lookup uses the pipeline's flat table (no per-device key object to load); _byProfile serves TryFind.
        if (_pipelineIndex.TryGet(profile, deviceId, out var known))
        {
            return known;
        }

        DeviceState added;
        lock (_gate)
        {
            if (!_byProfile.TryGetValue(profile, out var map))
            {
                map = new Dictionary<string, int>(StringComparer.Ordinal);
                _byProfile.Add(profile, map);
            }

            var tags = new KeyValuePair<string, string>[reading.TagCount];
            for (var i = 0; i < tags.Length; i++)
            {
                var t = reading.Tags[i];
                tags[i] = new KeyValuePair<string, string>(t.Key, t.Value.ToString());
            }

            var id = deviceId.ToString();
            var index = _count;
            if (index == _devices.Length)
            {
                Array.Resize(ref _devices, _devices.Length * 2);
            }

            added = new DeviceState(index, profile, id, tags, _fieldCount);
            _devices[index] = added;
            map.Add(id, index);
            _pipelineIndex.Add(profile, deviceId, index);
            Volatile.Write(ref _count, index + 1);
        }

        DeviceAdded?.Invoke(added);
        return added.Index;
    }
}
