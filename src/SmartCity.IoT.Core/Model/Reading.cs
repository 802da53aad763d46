using SmartCity.IoT.Core.Devices;

namespace SmartCity.IoT.Core.Model;

/// <summary>
/// A decoded reading, reused for every message on one pipeline: values are addressed by vocabulary field id,
/// presence uses a generation stamp so <see cref="Reset"/> is O(1) and nothing is allocated per message.
/// Not thread-safe: one instance per consumer loop.
/// </summary>
public sealed class Reading
{
    private readonly double[] _values;
    private readonly int[] _stamp;
    private readonly int[] _order;
    private Tag[] _tags;
    private int _count;
    private int _tagCount;
    private int _generation = 1;
    private char[] _identity = [];
    private ReadingSet? _set;

    public Reading(int fieldCapacity, int tagCapacity = 16)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fieldCapacity);
        _values = new double[fieldCapacity];
        _stamp = new int[fieldCapacity];
        _order = new int[fieldCapacity];
        _tags = new Tag[Math.Max(4, tagCapacity)];
    }

    /// <summary>The profile that decoded this reading.</summary>
    public DeviceProfile? Profile { get; set; }

    /// <summary>The MQTT topic the payload arrived on.</summary>
    public string Topic { get; set; } = "";

    /// <summary>The device id segment of the topic (or payload), a slice: no allocation.</summary>
    public ReadOnlyMemory<char> DeviceId { get; set; }

    /// <summary>Dense index of the device in the <see cref="DeviceRegistry"/>, or -1 before registration.</summary>
    public int DeviceIndex { get; set; } = -1;

    /// <summary>Timestamp in Unix nanoseconds (payload time, or receive time when the profile has none).</summary>
    public long TimestampNs { get; set; }

    /// <summary>The message is a redelivery (<see cref="Pipeline.InboundMessage.Redelivered"/>).</summary>
    public bool Redelivered { get; set; }

    /// <summary>The partition of the message (<see cref="Pipeline.InboundMessage.Partition"/>), or -1.</summary>
    public int Partition { get; set; } = -1;

    /// <summary>
    /// The message's position in its stream (<see cref="Pipeline.InboundMessage.StreamSequence"/>), or 0: rule state records
    /// the newest it reflects per device, so a message at or before it is not evaluated twice after a takeover.
    /// </summary>
    public long StreamSequence { get; set; }

    /// <summary>True when a decoder set this reading's own time (<see cref="SetTimestamp"/>); otherwise it takes the message's.</summary>
    public bool HasOwnTimestamp { get; private set; }

    /// <summary>True when a decoder set this reading's own device (<see cref="SetDevice"/>); otherwise it is the message's.</summary>
    public bool HasOwnDevice { get; private set; }

    /// <summary>
    /// The tag that tells this reading's field instances apart from the same fields of the message's other readings
    /// (<c>probe=2</c>, <c>channel=3</c>), or a default tag (no key). Part of the device identity rules keep state under.
    /// </summary>
    public Tag Instance { get; private set; }

    public int FieldCapacity => _values.Length;

    /// <summary>A set with this reading first, kept for the single-reading decode overloads.</summary>
    internal ReadingSet OwnSet => _set ??= new ReadingSet(this);

    /// <summary>Number of fields present.</summary>
    public int FieldCount => _count;

    /// <summary>Ids of the present fields, in the order they were set.</summary>
    public ReadOnlySpan<int> FieldIds => _order.AsSpan(0, _count);

    public int TagCount => _tagCount;

    public ReadOnlySpan<Tag> Tags => _tags.AsSpan(0, _tagCount);

    public void Reset()
    {
        _count = 0;
        _tagCount = 0;
        Profile = null;
        Topic = "";
        DeviceId = default;
        DeviceIndex = -1;
        TimestampNs = 0;
        Redelivered = false;
        Partition = -1;
        StreamSequence = 0;
        HasOwnTimestamp = false;
        HasOwnDevice = false;
        Instance = default;
        if (++_generation == int.MaxValue)
        {
            Array.Clear(_stamp);
            _generation = 1;
        }
    }

    /// <summary>Sets this reading's own time (a sample of a multi-reading message), kept over the message's time.</summary>
    public void SetTimestamp(long unixNs)
    {
        TimestampNs = unixNs;
        HasOwnTimestamp = true;
    }

    /// <summary>Sets this reading's own device (a device named in the payload), also as its <c>device</c> tag.</summary>
    public void SetDevice(string deviceTag, ReadOnlyMemory<char> deviceId)
    {
        DeviceId = deviceId;
        HasOwnDevice = true;
        AddTag(deviceTag, deviceId);
    }

    /// <summary>Marks this reading as one instance of its fields (<c>probe=2</c>): adds the tag and keys rule state by it.</summary>
    public void SetInstance(string key, ReadOnlyMemory<char> value)
    {
        Instance = new Tag(key, value);
        AddTag(key, value);
    }

    /// <summary>
    /// Makes <see cref="DeviceId"/> <c>{device}/{instance key}={instance value}</c> (in a buffer this reading keeps), so
    /// the registry and the rule engine keep each instance's state apart. The <c>device</c> tag stays the plain id.
    /// </summary>
    internal void ApplyInstanceIdentity()
    {
        if (Instance.Key is not { } key)
        {
            return;
        }

        var device = DeviceId.Span;
        var value = Instance.Value.Span;
        var length = device.Length + 1 + key.Length + 1 + value.Length;
        if (_identity.Length < length)
        {
            _identity = new char[Math.Max(length, _identity.Length * 2)];
        }

        var n = 0;
        device.CopyTo(_identity);
        n += device.Length;
        _identity[n++] = '/';
        key.CopyTo(_identity.AsSpan(n));
        n += key.Length;
        _identity[n++] = '=';
        value.CopyTo(_identity.AsSpan(n));
        DeviceId = _identity.AsMemory(0, length);
    }

    public void Set(int fieldId, double value)
    {
        if (_stamp[fieldId] != _generation)
        {
            _stamp[fieldId] = _generation;
            _order[_count++] = fieldId;
        }

        _values[fieldId] = value;
    }

    public bool Has(int fieldId) => (uint)fieldId < (uint)_stamp.Length && _stamp[fieldId] == _generation;

    public bool TryGet(int fieldId, out double value)
    {
        if (Has(fieldId))
        {
            value = _values[fieldId];
            return true;
        }

        value = double.NaN;
        return false;
    }

    /// <summary>The value, or NaN when the field is absent (NaN never satisfies a comparison).</summary>
    public double GetOrNaN(int fieldId) => Has(fieldId) ? _values[fieldId] : double.NaN;

    public void AddTag(string key, ReadOnlyMemory<char> value)
    {
        for (var i = 0; i < _tagCount; i++)
        {
            if (ReferenceEquals(_tags[i].Key, key) || string.Equals(_tags[i].Key, key, StringComparison.Ordinal))
            {
                _tags[i] = new Tag(key, value);
                return;
            }
        }

        if (_tagCount == _tags.Length)
        {
            Array.Resize(ref _tags, _tags.Length * 2);
        }

        _tags[_tagCount++] = new Tag(key, value);
    }

    /// <summary>Removes a tag (a topic level that is not a series tag, such as a Sparkplug message type).</summary>
    public void RemoveTag(string key)
    {
        for (var i = 0; i < _tagCount; i++)
        {
            if (string.Equals(_tags[i].Key, key, StringComparison.Ordinal))
            {
                Array.Copy(_tags, i + 1, _tags, i, _tagCount - i - 1);
                _tagCount--;
                return;
            }
        }
    }

    public bool TryGetTag(ReadOnlySpan<char> key, out ReadOnlyMemory<char> value)
    {
        for (var i = 0; i < _tagCount; i++)
        {
            if (key.SequenceEqual(_tags[i].Key))
            {
                value = _tags[i].Value;
                return true;
            }
        }

        value = default;
        return false;
    }
}
