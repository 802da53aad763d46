namespace SmartCity.IoT.Core.Devices;

/// <summary>What the gateway knows about one device: identity, tags at first sight, last-seen time and latest values.</summary>
public sealed class DeviceState
{
    private long _lastSeenNs;
    private long _messages;
    private int _availability; // DeviceAvailability.Online
    private int _partition = -1;

    internal DeviceState(int index, DeviceProfile profile, string deviceId, KeyValuePair<string, string>[] tags, int fieldCount)
    {
        Index = index;
        Profile = profile;
        DeviceId = deviceId;
        Tags = tags;
        Latest = new double[fieldCount];
        Array.Fill(Latest, double.NaN);
    }

    public int Index { get; }

    public DeviceProfile Profile { get; }

    public string DeviceId { get; }

    public IReadOnlyList<KeyValuePair<string, string>> Tags { get; }

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

    // Only the pipeline thread writes (see DeviceRegistry), so a plain store suffices; an interlocked add is a full fence.
    internal void CountMessage() => Volatile.Write(ref _messages, _messages + 1);
}
