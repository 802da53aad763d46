namespace SmartCity.IoT.Core.Devices;

/// <summary>What the gateway knows about one device: identity, tags at first sight, last-seen time and latest values.</summary>
public sealed class DeviceState
{
    private long _lastSeenNs;
    private long _messages;
    private int _online = 1;

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

    /// <summary>False after the device's availability / last-will topic said offline.</summary>
    public bool Online
    {
        get => Volatile.Read(ref _online) == 1;
        set => Volatile.Write(ref _online, value ? 1 : 0);
    }

    // Only the pipeline thread writes (see DeviceRegistry), so a plain store suffices; an interlocked add is a full fence.
    internal void CountMessage() => Volatile.Write(ref _messages, _messages + 1);
}
