using SmartCity.IoT.Core.Model;

namespace SmartCity.IoT.Core.Decoding;

/// <summary>
/// A record-list (type-length-value) frame: records back to back, each introduced by its marker (a type byte, or a channel
/// byte and a type byte as in Cayenne LPP), optionally a length byte, then its data; in any order, each optional. An unknown
/// record, a length byte that disagrees with the layout and a truncated record fail the message with the byte offset and the
/// frame in hex. Decoding allocates nothing for a well-formed frame.
/// </summary>
public sealed class RecordLayout : IFrameLayout
{
    private readonly RecordType?[] _byCode = new RecordType?[256];
    private readonly RecordType[] _types;

    public RecordLayout(RecordMarker marker, bool lengthPrefixed, UnknownRecords unknown, IEnumerable<RecordType> types)
    {
        Marker = marker;
        LengthPrefixed = lengthPrefixed;
        Unknown = unknown;
        _types = types.ToArray();
        foreach (var t in _types)
        {
            if (_byCode[t.Code] is not null)
            {
                throw new ArgumentException($"record type 0x{t.Code:x2} is declared twice", nameof(types));
            }

            _byCode[t.Code] = t;
        }
    }

    public RecordMarker Marker { get; }

    /// <summary>A length byte follows the marker (true TLV); it must equal the type's declared length.</summary>
    public bool LengthPrefixed { get; }

    public UnknownRecords Unknown { get; }

    public IReadOnlyList<RecordType> Types => _types;

    /// <summary>Bytes before a record's data: the marker and the length byte.</summary>
    public int HeaderLength => (Marker == RecordMarker.ChannelType ? 2 : 1) + (LengthPrefixed ? 1 : 0);

    public RecordType? TypeOf(byte code) => _byCode[code];

    public void Decode(ReadOnlySpan<byte> frame, Reading reading, ref DecodeContext ctx)
    {
        var markerLength = Marker == RecordMarker.ChannelType ? 2 : 1;
        var header = HeaderLength;
        var pos = 0;
        while (pos < frame.Length && !ctx.Failed)
        {
            if (frame.Length - pos < header)
            {
                ctx.Fail(DecodeError.MalformedPayload, $"truncated record at byte {pos}: the frame ends inside its {header}-byte header ({frame.Length - pos} byte(s) left); frame (hex): {HexText.Format(frame)}");
                return;
            }

            var channel = Marker == RecordMarker.ChannelType ? frame[pos] : -1;
            var code = frame[pos + markerLength - 1];
            var type = _byCode[code];
            int length;
            if (LengthPrefixed)
            {
                length = frame[pos + markerLength];
                if (type is not null && length != type.Length)
                {
                    ctx.Fail(DecodeError.MalformedPayload, $"{type.Describe(channel)} at byte {pos} has length byte {length}, the layout defines {type.Length} data byte(s); frame (hex): {HexText.Format(frame)}");
                    return;
                }
            }
            else if (type is null)
            {
                FailUnknown(frame, pos, channel, code, ref ctx);
                return;
            }
            else
            {
                length = type.Length;
            }

            var start = pos + header;
            if (frame.Length - start < length)
            {
                var what = type?.Describe(channel) ?? $"record 0x{code:x2}";
                ctx.Fail(DecodeError.MalformedPayload, $"truncated {what} at byte {pos}: needs {length} data byte(s), the frame has {frame.Length - start} left; frame (hex): {HexText.Format(frame)}");
                return;
            }

            var mapped = type is not null && type.Apply(channel, frame.Slice(start, length), pos, frame, reading, ref ctx);
            if (!mapped && Unknown == UnknownRecords.Error)
            {
                FailUnknown(frame, pos, channel, code, ref ctx);
                return;
            }

            pos = start + length;
        }
    }

    private void FailUnknown(ReadOnlySpan<byte> frame, int pos, int channel, byte code, ref DecodeContext ctx)
    {
        var known = string.Join(", ", _types.Select(t => $"0x{t.Code:x2}{(t.Name.Length > 0 ? " " + t.Name : "")}"));
        var type = _byCode[code];
        var detail = type is null
            ? $"unknown record type 0x{code:x2}{(channel >= 0 ? $" (channel {channel})" : "")} at byte {pos} (known: {known})"
            : $"{type.Describe(channel)} at byte {pos} is not mapped by any field (map it, or set 'unknown: skip')";
        ctx.Fail(DecodeError.MalformedPayload, $"{detail}; frame (hex): {HexText.Format(frame)}");
    }
}
