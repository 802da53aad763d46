namespace SmartCity.IoT.Core.Devices;

/// <summary>What the gateway knows about one device: identity, tags at first sight, last-seen time and latest values.</summary>
public sealed class DeviceState
{
    private long _lastSeenNs;
    private long _messages;
    private int _availability; // DeviceAvailability.Online
    private int _partition = -1;

    /// <summary>The building model's answer for this device, cached per model (see <see cref="Places.BuildingModel.PlaceOf"/>).</summary>
    internal object? PlacementCache;

    private KeyValuePair<string, string>[] _tags;

    internal DeviceState(int index, DeviceProfile profile, string deviceId, KeyValuePair<string, string>[] tags, int fieldCount)
    {
        Index = index;
        Profile = profile;
        DeviceId = deviceId;
        TopicTags = tags;
        _tags = tags;
        Latest = new double[fieldCount];
        Array.Fill(Latest, double.NaN);
    }

    public int Index { get; }

    public DeviceProfile Profile { get; }

    public string DeviceId { get; }

    /// <summary>
    /// The device's tags: those of its first reading (<see cref="TopicTags"/>) with the building model's place tags
    /// over them once the model placed it (<see cref="Places.PlaceTags"/>). Replaced whole, so any thread may read it.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> Tags => Volatile.Read(ref _tags);

    /// <summary>The tags of the device's first reading (topic and payload), which placement rules match.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> TopicTags { get; }

    /// <summary>Latest value per vocabulary field id (NaN when never reported). Written by the pipeline, read by the status page.</summary>
    public double[] Latest { get; }

    public long LastSeenUnixNs
    {
        get => Volatile.Read(ref _lastSeenNs);
        internal set => Volatile.Write(ref _lastSeenNs, value);
    }

    public long Messages => Volatile.Read(ref _messages);

    /// <summary>What the device's availability messages last said (<see cref="DeviceAvailability.Online"/> until one does).</summary>
    public DeviceAvailability Availability
    {
        get => (DeviceAvailability)Volatile.Read(ref _availability);
        set => Volatile.Write(ref _availability, (int)value);
    }

    /// <summary>
    /// The source partition its last reading came from (a NATS JetStream partition), or -1: with several gateway
    /// instances, which instance's ownership covers this device.
    /// </summary>
    public int Partition
    {
        get => Volatile.Read(ref _partition);
        set => Volatile.Write(ref _partition, value);
    }

    /// <summary>False after the device's availability / last-will topic said offline (or sleeping, or an unknown state).</summary>
    public bool Online
    {
        get => Availability == DeviceAvailability.Online;
        set => Availability = value ? DeviceAvailability.Online : DeviceAvailability.Offline;
    }

    /// <summary>Makes <see cref="Tags"/> the topic tags with <paramref name="placeTags"/> over them (once per device and model).</summary>
    internal void SetPlaceTags(ReadOnlySpan<Model.Tag> placeTags)
    {
        var merged = new List<KeyValuePair<string, string>>(TopicTags.Count + placeTags.Length);
        foreach (var tag in TopicTags)
        {
            if (!Contains(placeTags, tag.Key))
            {
                merged.Add(tag);
            }
        }

        foreach (var tag in placeTags)
        {
            merged.Add(new(tag.Key, tag.Value.ToString()));
        }

        Volatile.Write(ref _tags, [.. merged]);

        static bool Contains(ReadOnlySpan<Model.Tag> tags, string key)
        {
            foreach (var t in tags)
            {
                if (string.Equals(t.Key, key, StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }
    }

    // Only the pipeline thread writes (see DeviceRegistry), so a plain store suffices; an interlocked add is a full fence.
    internal void CountMessage() => Volatile.Write(ref _messages, _messages + 1);
}
