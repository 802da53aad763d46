using SmartCity.IoT.Core.Decoding;

namespace SmartCity.IoT.Core.Model;

/// <summary>
/// The readings one message decodes into, reused for every message on one pipeline (readings are pooled, so a steady
/// stream allocates nothing). <see cref="First"/> is the message's own reading: topic tags, device, model, the
/// message's time. A decoder that finds several samples, devices or field instances in one message takes a further
/// reading with <see cref="Add"/> or <see cref="For"/>; when decoding ends each further reading gets the message's
/// tags, device and time where it did not set its own (see <see cref="Complete"/>). A reading may stay empty (no
/// field): consumers skip those. Not thread-safe: one instance per consumer loop.
/// </summary>
public sealed class ReadingSet
{
    /// <summary>The most readings one message may yield; a message with more fails (a flood must not grow memory).</summary>
    public const int DefaultMaxReadings = 1024;

    private readonly int _fieldCapacity;
    private readonly int _tagCapacity;
    private Reading[] _readings;
    private int[] _order;
    private long[] _keys = [];
    private bool[] _keyed = [];
    private int _count;
    private Reading? _overflow;

    public ReadingSet(int fieldCapacity, int tagCapacity = 16, int maxReadings = DefaultMaxReadings)
        : this(new Reading(fieldCapacity, tagCapacity), maxReadings)
    {
    }

    /// <summary>A set whose first reading is <paramref name="first"/> (single-reading callers keep their own reading).</summary>
    public ReadingSet(Reading first, int maxReadings = DefaultMaxReadings)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxReadings);
        _fieldCapacity = first.FieldCapacity;
        _tagCapacity = 16;
        _readings = [first];
        _order = [0];
        _count = 1;
        MaxReadings = maxReadings;
    }

    public int MaxReadings { get; }

    /// <summary>Readings of the current message, including empty ones; in time order after <see cref="Complete"/>.</summary>
    public int Count => _count;

    /// <summary>True when a decoder asked for more than <see cref="MaxReadings"/> readings (the message fails).</summary>
    public bool Overflowed { get; private set; }

    /// <summary>The message's own reading (topic tags, device, model).</summary>
    public Reading First => _readings[0];

    public Reading this[int index] => (uint)index < (uint)_count ? _readings[_order[index]] : throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary>Starts a message: one empty reading (<see cref="First"/>) remains.</summary>
    public void Reset()
    {
        for (var i = 0; i < _count; i++)
        {
            _readings[i].Reset();
            _order[i] = i;
        }

        _count = 1;
        Overflowed = false;
    }

    /// <summary>
    /// A new reading of this message. Past <see cref="MaxReadings"/> it returns a scratch reading that is never
    /// consumed and marks the set <see cref="Overflowed"/>, so a decoder need not check.
    /// </summary>
    public Reading Add() => Take(0, false);

    /// <summary>
    /// The reading of this message for <paramref name="key"/> (a time, a device, an instance, or a decoder's own group
    /// number): the one taken earlier with the same key, else a new one (as <see cref="Add"/>). Keys are compared within
    /// the message only; how a decoder groups values is its own choice (SenML: by resolved time and name prefix; Cayenne
    /// LPP: by channel). Linear in the readings taken so far (messages carry few).
    /// </summary>
    public Reading For(long key)
    {
        for (var i = 1; i < _count; i++)
        {
            if (_keyed[i] && _keys[i] == key && !_readings[i].HasOwnDevice)
            {
                return _readings[i];
            }
        }

        return Take(key, true);
    }

    /// <summary>
    /// As <see cref="For(long)"/> for a device named in the payload: the reading with this key and this device, else a
    /// new one with <see cref="Reading.SetDevice"/> done (<paramref name="deviceId"/> must outlive the message: intern it).
    /// </summary>
    public Reading For(long key, ReadOnlyMemory<char> deviceId)
    {
        for (var i = 1; i < _count; i++)
        {
            var r = _readings[i];
            if (_keyed[i] && _keys[i] == key && r.HasOwnDevice && r.DeviceId.Span.SequenceEqual(deviceId.Span))
            {
                return r;
            }
        }

        var reading = Take(key, true);
        reading.SetDevice(MessageDecoder.DeviceTag, deviceId);
        return reading;
    }

    /// <summary>Gives back <paramref name="reading"/> if it is the last one taken (a decoder found it needs none).</summary>
    internal void RemoveLast(Reading reading)
    {
        if (_count > 1 && ReferenceEquals(_readings[_count - 1], reading))
        {
            reading.Reset();
            _count--;
        }
    }

    /// <summary>
    /// Ends the message (called by the message decoder once the payload is decoded): every further reading gets the
    /// first reading's tags it did not set itself, the first's device unless it set its own, and
    /// <paramref name="messageTimestampNs"/> unless it set its own time; an instance reading gets its instance identity;
    /// readings are put in time order (stable), so rules see samples as they were taken.
    /// </summary>
    public void Complete(long messageTimestampNs)
    {
        var first = _readings[0];
        if (!first.HasOwnTimestamp)
        {
            first.TimestampNs = messageTimestampNs;
        }

        first.ApplyInstanceIdentity();
        for (var i = 1; i < _count; i++)
        {
            var r = _readings[i];
            r.Profile = first.Profile;
            r.Topic = first.Topic;
            if (!r.HasOwnDevice)
            {
                r.DeviceId = first.DeviceId;
            }

            if (!r.HasOwnTimestamp)
            {
                r.TimestampNs = messageTimestampNs;
            }

            foreach (var tag in first.Tags)
            {
                if (!r.TryGetTag(tag.Key, out _) && !(ReferenceEquals(tag.Key, first.Instance.Key)))
                {
                    r.AddTag(tag.Key, tag.Value);
                }
            }

            r.ApplyInstanceIdentity();
        }

        // Stable insertion sort of the order by time: messages carry few readings, mostly in order already.
        for (var i = 1; i < _count; i++)
        {
            var current = _order[i];
            var t = _readings[current].TimestampNs;
            var j = i - 1;
            while (j >= 0 && _readings[_order[j]].TimestampNs > t)
            {
                _order[j + 1] = _order[j];
                j--;
            }

            _order[j + 1] = current;
        }
    }

    private Reading Take(long key, bool keyed)
    {
        if (_count >= MaxReadings)
        {
            Overflowed = true;
            _overflow ??= new Reading(_fieldCapacity, _tagCapacity);
            _overflow.Reset();
            return _overflow;
        }

        if (_count == _readings.Length)
        {
            var size = Math.Min(MaxReadings, _readings.Length * 2);
            Array.Resize(ref _readings, size);
            Array.Resize(ref _order, size);
        }

        if (_keys.Length < _readings.Length)
        {
            Array.Resize(ref _keys, _readings.Length);
            Array.Resize(ref _keyed, _readings.Length);
        }

        var reading = _readings[_count] ??= new Reading(_fieldCapacity, _tagCapacity);
        reading.Reset();
        _keys[_count] = key;
        _keyed[_count] = keyed;
        _order[_count] = _count;
        _count++;
        return reading;
    }
}
