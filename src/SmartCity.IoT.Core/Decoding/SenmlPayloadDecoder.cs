using System.Text;
using System.Text.Json;
using SmartCity.IoT.Core.Model;

namespace SmartCity.IoT.Core.Decoding;

/// <summary>
/// SenML (RFC 8428) JSON packs: an array of records, each found by its name (<c>n</c>, or base name + name), with base
/// name, time, unit, value and sum (<c>bn</c>, <c>bt</c>, <c>bu</c>, <c>bv</c>, <c>bs</c>) applying to that record and the
/// ones after it. Times are seconds: below 2^28 relative to the receive time, else Unix time. A record's unit
/// (<c>u</c>, else <c>bu</c>) goes through the field's vocabulary units. Records at different times, or (with the base
/// name as device) of different devices, become readings of their own. Unknown labels are ignored, labels ending in
/// <c>_</c> (must understand) fail the pack, as does a version above 10 other than 26 (secondary units). One pass of
/// <see cref="Utf8JsonReader"/>; nothing is allocated for a good pack of known devices.
/// </summary>
public sealed class SenmlPayloadDecoder : PayloadDecoder
{
    private const double RelativeTimeLimit = 268_435_456; // 2^28 s: smaller times are relative to "now"
    private const int NameBytes = 256;
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 8 };
    private static readonly byte[] SeparatorBytes = ":/.-_"u8.ToArray();

    private readonly FieldMapping[] _fields;
    private readonly byte[][] _keys;
    private readonly TagValueInterner _devices = new();

    /// <param name="fields">Each field with the record name it is found under.</param>
    /// <param name="deviceFromBaseName">The base name (without a trailing <c>:</c>, <c>/</c>, <c>.</c>, <c>-</c> or <c>_</c>) is the device id, not the topic's.</param>
    public SenmlPayloadDecoder(IEnumerable<(string Key, FieldMapping Mapping)> fields, bool deviceFromBaseName)
    {
        var list = fields.ToList();
        _fields = list.Select(f => f.Mapping).ToArray();
        _keys = list.Select(f => Encoding.UTF8.GetBytes(f.Key)).ToArray();
        DeviceFromBaseName = deviceFromBaseName;
    }

    public bool DeviceFromBaseName { get; }

    public override IReadOnlyList<FieldMapping> Fields => _fields;

    /// <summary>The record name each of <see cref="Fields"/> is found under.</summary>
    public IReadOnlyList<string> Keys => _keys.Select(k => Encoding.UTF8.GetString(k)).ToArray();

    public override void Decode(ReadOnlySpan<byte> payload, ReadOnlySpan<char> fieldKey, Reading reading, ref DecodeContext ctx)
    {
        try
        {
            var reader = new Utf8JsonReader(payload, ReaderOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                ctx.Fail(DecodeError.MalformedPayload, "a SenML pack is a JSON array of records ([{\"n\":...,\"v\":...}])");
                return;
            }

            DecodePack(ref reader, reading, ref ctx);
            if (!ctx.Failed && reader.Read())
            {
                ctx.Fail(DecodeError.MalformedPayload, $"unexpected data after the SenML pack at byte {reader.TokenStartIndex}");
            }
        }
        catch (JsonException e)
        {
            ctx.Fail(DecodeError.MalformedPayload, "invalid JSON: " + e.Message);
        }
    }

    private void DecodePack(ref Utf8JsonReader reader, Reading reading, ref DecodeContext ctx)
    {
        Span<byte> baseName = stackalloc byte[NameBytes];
        Span<byte> baseUnit = stackalloc byte[NameBytes];
        Span<byte> name = stackalloc byte[NameBytes];
        Span<byte> unit = stackalloc byte[NameBytes];
        Span<byte> text = stackalloc byte[NameBytes];
        int baseNameLength = 0, baseUnitLength = 0;
        double baseTime = 0, baseValue = 0, baseSum = 0;
        var hasBaseTime = false;
        var index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                ctx.Fail(DecodeError.MalformedPayload, $"SenML record {index} is not an object");
                return;
            }

            var record = default(Record);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var label = reader.ValueSpan;
                var escaped = reader.ValueIsEscaped;
                reader.Read();
                if (escaped)
                {
                    reader.Skip(); // no SenML label needs escaping; an escaped one is an unknown label
                    continue;
                }

                switch (label)
                {
                    case [(byte)'n']:
                        record.NameLength = ReadString(ref reader, name, "n", index, ref ctx);
                        break;
                    case [(byte)'u']:
                        record.UnitLength = ReadString(ref reader, unit, "u", index, ref ctx);
                        break;
                    case [(byte)'v']:
                        record.Kind = ValueKind.Number;
                        record.Value = ReadNumber(ref reader, "v", index, ref ctx);
                        break;
                    case [(byte)'s']:
                        record.HasSum = true;
                        record.Sum = ReadNumber(ref reader, "s", index, ref ctx);
                        break;
                    case [(byte)'t']:
                        record.HasTime = true;
                        record.Time = ReadNumber(ref reader, "t", index, ref ctx);
                        break;
                    case [(byte)'v', (byte)'b']:
                        if (reader.TokenType is not (JsonTokenType.True or JsonTokenType.False))
                        {
                            ctx.Fail(DecodeError.MalformedPayload, $"SenML record {index}: 'vb' must be true or false");
                            return;
                        }

                        record.Kind = ValueKind.Boolean;
                        record.Value = reader.TokenType == JsonTokenType.True ? 1 : 0;
                        break;
                    case [(byte)'v', (byte)'s']:
                        record.Kind = ValueKind.Text;
                        record.TextLength = ReadString(ref reader, text, "vs", index, ref ctx);
                        break;
                    case [(byte)'v', (byte)'d']:
                        record.Kind = ValueKind.Data;
                        reader.Skip();
                        break;
                    case [(byte)'b', (byte)'n']:
                        baseNameLength = ReadString(ref reader, baseName, "bn", index, ref ctx);
                        break;
                    case [(byte)'b', (byte)'u']:
                        baseUnitLength = ReadString(ref reader, baseUnit, "bu", index, ref ctx);
                        break;
                    case [(byte)'b', (byte)'t']:
                        baseTime = ReadNumber(ref reader, "bt", index, ref ctx);
                        hasBaseTime = true;
                        break;
                    case [(byte)'b', (byte)'v']:
                        baseValue = ReadNumber(ref reader, "bv", index, ref ctx);
                        break;
                    case [(byte)'b', (byte)'s']:
                        baseSum = ReadNumber(ref reader, "bs", index, ref ctx);
                        break;
                    case [(byte)'b', (byte)'v', (byte)'e', (byte)'r']:
                        var version = ReadNumber(ref reader, "bver", index, ref ctx);
                        if (!ctx.Failed && version > 10 && version != 26)
                        {
                            ctx.Fail(DecodeError.MalformedPayload, $"SenML version {version} needs features this gateway does not know (it reads versions up to 10, and 26: secondary units)");
                        }

                        break;
                    default:
                        if (label[^1] == (byte)'_')
                        {
                            ctx.Fail(DecodeError.MalformedPayload, $"SenML record {index} has the must-understand label '{Encoding.UTF8.GetString(label)}', which this gateway does not understand");
                            return;
                        }

                        reader.Skip(); // unknown labels are ignored (RFC 8428 §4.4)
                        break;
                }

                if (ctx.Failed)
                {
                    return;
                }
            }

            Apply(in record, baseName[..baseNameLength], name[..record.NameLength], record.UnitLength > 0 ? unit[..record.UnitLength] : baseUnit[..baseUnitLength],
                text[..record.TextLength], hasBaseTime, baseTime, baseValue, baseSum, index, reading, ref ctx);
            if (ctx.Failed)
            {
                return;
            }

            index++;
        }
    }

    private void Apply(in Record record, ReadOnlySpan<byte> baseName, ReadOnlySpan<byte> name, ReadOnlySpan<byte> unit, ReadOnlySpan<byte> text,
        bool hasBaseTime, double baseTime, double baseValue, double baseSum, int index, Reading message, ref DecodeContext ctx)
    {
        var field = Find(baseName, name);
        if (field < 0)
        {
            return; // a record the profile does not map, like a JSON key no path names
        }

        var mapping = _fields[field];
        if (record.Kind == ValueKind.None && !record.HasSum)
        {
            ctx.Reject(DecodeError.MissingField, $"{mapping.Field.Name} ({mapping.Source}): SenML record {index} has no value (v, vb, vs or s)");
            return;
        }

        var target = message;
        var hasTime = record.HasTime || hasBaseTime;
        var timeNs = 0L;
        if (hasTime)
        {
            var seconds = baseTime + record.Time;
            if (!double.IsFinite(seconds) || Math.Abs(seconds) > 9e9)
            {
                ctx.Fail(DecodeError.BadTimestamp, $"SenML record {index}: time {seconds} s (bt + t) is outside 2000..2100");
                return;
            }

            timeNs = (seconds < RelativeTimeLimit ? ctx.ReceivedUnixNs : 0) + ToNanoseconds(seconds);
            if (timeNs is < JsonTimestamp.MinPlausibleNs or > JsonTimestamp.MaxPlausibleNs)
            {
                ctx.Fail(DecodeError.BadTimestamp, $"SenML record {index}: time {seconds} s (bt + t) is outside 2000..2100");
                return;
            }
        }

        if (DeviceFromBaseName && Device(baseName) is { } device)
        {
            target = ctx.Readings.For(hasTime ? timeNs : long.MinValue, device.AsMemory());
        }
        else if (hasTime)
        {
            target = ctx.Readings.For(timeNs);
        }

        if (hasTime)
        {
            target.SetTimestamp(timeNs);
        }

        if (target.Has(mapping.FieldId))
        {
            ctx.Reject(DecodeError.WrongType, $"{mapping.Field.Name} ({mapping.Source}): SenML record {index} repeats a name at the same time and device");
            return;
        }

        switch (record.Kind)
        {
            case ValueKind.Number:
                mapping.ApplyNumber(baseValue + record.Value, unit, target, ref ctx);
                break;
            case ValueKind.Boolean:
                mapping.ApplyBoolean(record.Value != 0, target, ref ctx);
                break;
            case ValueKind.Text:
                mapping.ApplyText(text, target, ref ctx);
                break;
            case ValueKind.Data:
                mapping.RejectKind("a data value (vd)", ref ctx);
                break;
            default:
                mapping.ApplyNumber(baseSum + record.Sum, unit, target, ref ctx);
                break;
        }
    }

    /// <summary>Whole seconds and the fraction apart, so 1763856000.25 s is exactly ...250000000 ns.</summary>
    private static long ToNanoseconds(double seconds)
    {
        var whole = Math.Floor(seconds);
        return (long)whole * 1_000_000_000L + (long)Math.Round((seconds - whole) * 1e9);
    }

    /// <summary>The field whose key is the record's name, or its base name + name.</summary>
    private int Find(ReadOnlySpan<byte> baseName, ReadOnlySpan<byte> name)
    {
        for (var i = 0; i < _keys.Length; i++)
        {
            var key = _keys[i].AsSpan();
            if ((name.Length > 0 && key.SequenceEqual(name)) || (key.Length == baseName.Length + name.Length && key.StartsWith(baseName) && key[baseName.Length..].SequenceEqual(name)))
            {
                return i;
            }
        }

        return -1;
    }

    private string? Device(ReadOnlySpan<byte> baseName)
    {
        while (baseName.Length > 0 && SeparatorBytes.AsSpan().Contains(baseName[^1]))
        {
            baseName = baseName[..^1];
        }

        return baseName.IsEmpty ? null : _devices.Intern(baseName);
    }

    private static int ReadString(ref Utf8JsonReader reader, scoped Span<byte> into, string label, int index, ref DecodeContext ctx)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            ctx.Fail(DecodeError.MalformedPayload, $"SenML record {index}: '{label}' must be a string");
            return 0;
        }

        if (reader.ValueSpan.Length > into.Length)
        {
            ctx.Fail(DecodeError.MalformedPayload, $"SenML record {index}: '{label}' is longer than {into.Length} bytes");
            return 0;
        }

        return reader.CopyString(into);
    }

    private static double ReadNumber(ref Utf8JsonReader reader, string label, int index, ref DecodeContext ctx)
    {
        if (reader.TokenType == JsonTokenType.Number && (ShortDecimal.TryParse(reader.ValueSpan, out var d) || reader.TryGetDouble(out d)))
        {
            return d;
        }

        ctx.Fail(DecodeError.MalformedPayload, $"SenML record {index}: '{label}' must be a number");
        return 0;
    }

    private enum ValueKind : byte
    {
        None,
        Number,
        Boolean,
        Text,
        Data,
    }

    private struct Record
    {
        public int NameLength;
        public int UnitLength;
        public int TextLength;
        public ValueKind Kind;
        public double Value;
        public bool HasSum;
        public double Sum;
        public bool HasTime;
        public double Time;
    }
}
