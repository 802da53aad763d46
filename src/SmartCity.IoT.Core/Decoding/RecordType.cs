using System.Globalization;
using SmartCity.IoT.Core.Model;

namespace SmartCity.IoT.Core.Decoding;

/// <summary>One record type of a record-list frame: its type byte, the number of data bytes after the marker, and its values.</summary>
public sealed class RecordType
{
    private readonly RecordValue[] _values;

    public RecordType(byte code, int length, string name, IEnumerable<RecordValue> values)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, byte.MaxValue);
        Code = code;
        Length = length;
        Name = name;
        _values = values.ToArray();
        foreach (var v in _values)
        {
            if (v.Field.End > length)
            {
                throw new ArgumentException($"record 0x{code:x2}: {v.Field.Describe()} is beyond its {length} data byte(s)", nameof(values));
            }
        }
    }

    public byte Code { get; }

    /// <summary>Data bytes after the marker (and the length byte, when there is one).</summary>
    public int Length { get; }

    /// <summary>A label for messages (the profile's record name or the LPP type), may be empty.</summary>
    public string Name { get; }

    public IReadOnlyList<RecordValue> Values => _values;

    /// <summary>
    /// Sets the values read on <paramref name="channel"/>; false when none is read on that channel. A record repeating a value
    /// already set by this frame fails rather than overwriting it.
    /// </summary>
    internal bool Apply(int channel, ReadOnlySpan<byte> data, int at, ReadOnlySpan<byte> frame, Reading reading, ref DecodeContext ctx)
    {
        var matched = false;
        foreach (var v in _values)
        {
            if (v.Channel >= 0 && v.Channel != channel)
            {
                continue;
            }

            matched = true;
            var mapping = v.Field.Mapping;
            var target = reading;
            if (v.Instance is { } instance)
            {
                target = ctx.Readings?.For(v.InstanceKey) ?? reading;
                if (target.Instance.Key is null && !ReferenceEquals(target, reading))
                {
                    target.SetInstance(instance.Key, instance.Value);
                }
            }

            if (target.Has(mapping.FieldId))
            {
                ctx.Fail(DecodeError.MalformedPayload, $"{Describe(channel)} at byte {at} sets {mapping.Field.Name} a second time in one frame; frame (hex): {HexText.Format(frame)}");
                return true;
            }

            mapping.ApplyNumber(v.Field.Read(data), target, ref ctx);
        }

        return matched;
    }

    public string Describe(int channel)
    {
        var name = Name.Length > 0 ? $" ({Name})" : "";
        return channel >= 0
            ? string.Create(CultureInfo.InvariantCulture, $"record channel {channel} type 0x{Code:x2}{name}")
            : string.Create(CultureInfo.InvariantCulture, $"record 0x{Code:x2}{name}");
    }
}
