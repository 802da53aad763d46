using SmartCity.IoT.Core.Model;

namespace SmartCity.IoT.Core.Devices;

/// <summary>
/// Assigns each (profile, device id) a dense index on first sight, so rule state and latest values live in arrays.
/// Lookups take a span of the topic: a known device costs no allocation.
/// <see cref="Observe"/> is called by one pipeline thread; <see cref="Snapshot"/> may be called from any thread.
/// The number of devices is capped: a flood of invented device ids must not grow memory without bound.
/// </summary>
public sealed class DeviceRegistry
{
    private readonly Lock _gate = new();
    private readonly int _fieldCount;
    private readonly Dictionary<DeviceProfile, Dictionary<string, int>> _byProfile = new(ReferenceEqualityComparer.Instance);
    private readonly DeviceIndexTable _pipelineIndex = new(); // the pipeline thread's own lookups (see GetOrAdd)
    private DeviceState[] _devices = new DeviceState[64];
    private int _count;

    public const int DefaultMaxDevices = 1_000_000;

    public DeviceRegistry(int fieldCount, int maxDevices = DefaultMaxDevices)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxDevices);
        _fieldCount = fieldCount;
        MaxDevices = maxDevices;
    }

    public int Count => Volatile.Read(ref _count);

    /// <summary>Devices beyond this many are refused by <see cref="TryObserve"/>.</summary>
    public int MaxDevices { get; }

    public DeviceState this[int index] => _devices[index];

    /// <summary>Registers the reading's device if new, sets <see cref="Reading.DeviceIndex"/>, and records its values as latest.</summary>
    /// <exception cref="InvalidOperationException">The device is new and <see cref="MaxDevices"/> are already known.</exception>
    public DeviceState Observe(Reading reading) =>
        TryObserve(reading, out var state) ? state : throw new InvalidOperationException($"the device limit of {MaxDevices} devices is reached");

    /// <summary>As <see cref="Observe"/>; false (and nothing recorded) when the device is new and <see cref="MaxDevices"/> are already known.</summary>
    public bool TryObserve(Reading reading, out DeviceState state)
    {
        var profile = reading.Profile ?? throw new InvalidOperationException("Reading has no profile.");
        var index = GetOrAdd(profile, reading.DeviceId.Span, reading);
        if (index < 0)
        {
            state = null!;
            return false;
        }

        reading.DeviceIndex = index;
        state = _devices[index];
        var ts = reading.TimestampNs;
        foreach (var id in reading.FieldIds)
        {
            state.Latest[id] = reading.GetOrNaN(id);
        }

        if (ts > state.LastSeenUnixNs)
        {
            state.LastSeenUnixNs = ts;
        }

        state.CountMessage();
        return true;
    }

    /// <summary>
    /// Registers the reading's device if new without recording anything it says (an availability message: the device
    /// shows on the status page, but a last will published by the broker is no sign of life). False at the device limit.
    /// </summary>
    public bool TryRegister(Reading reading, out DeviceState state)
    {
        var profile = reading.Profile ?? throw new InvalidOperationException("Reading has no profile.");
        var index = GetOrAdd(profile, reading.DeviceId.Span, reading);
        state = index < 0 ? null! : _devices[index];
        return index >= 0;
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

        if (Volatile.Read(ref _count) >= MaxDevices)
        {
            return -1;
        }

        int index;
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
            index = _count;
            if (index == _devices.Length)
            {
                Array.Resize(ref _devices, _devices.Length * 2);
            }

            _devices[index] = new DeviceState(index, profile, id, tags, _fieldCount);
            map.Add(id, index);
            _pipelineIndex.Add(profile, deviceId, index);
            Volatile.Write(ref _count, index + 1);
        }

        return index;
    }
}
