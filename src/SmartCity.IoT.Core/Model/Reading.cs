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

    public int FieldCapacity => _values.Length;

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
        if (++_generation == int.MaxValue)
        {
            Array.Clear(_stamp);
            _generation = 1;
        }
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
