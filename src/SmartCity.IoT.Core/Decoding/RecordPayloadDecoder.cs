using SmartCity.IoT.Core.Model;

namespace SmartCity.IoT.Core.Decoding;

/// <summary>A record-list frame as the whole payload: raw bytes, or hex / base64 text.</summary>
public sealed class RecordPayloadDecoder : PayloadDecoder
{
    private readonly FieldMapping[] _fields;

    public RecordPayloadDecoder(RecordLayout layout, BinaryEncoding encoding)
    {
        Layout = layout;
        Encoding = encoding;
        _fields = layout.Types.SelectMany(t => t.Values).Select(v => v.Field.Mapping).ToArray();
    }

    public RecordLayout Layout { get; }

    public BinaryEncoding Encoding { get; }

    public override IReadOnlyList<FieldMapping> Fields => _fields;

    public override void Decode(ReadOnlySpan<byte> payload, ReadOnlySpan<char> fieldKey, Reading reading, ref DecodeContext ctx) =>
        BinaryFrame.Decode(payload, Encoding, Layout, "payload", reading, ref ctx);
}
