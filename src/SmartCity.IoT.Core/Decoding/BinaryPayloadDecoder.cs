using SmartCity.IoT.Core.Model;

namespace SmartCity.IoT.Core.Decoding;

/// <summary>A binary frame as the whole payload: raw bytes, or hex / base64 text.</summary>
public sealed class BinaryPayloadDecoder : PayloadDecoder
{
    private readonly FieldMapping[] _fields;

    public BinaryPayloadDecoder(BinaryLayout layout, BinaryEncoding encoding)
    {
        Layout = layout;
        Encoding = encoding;
        _fields = layout.Fields.Select(f => f.Mapping).ToArray();
    }

    public BinaryLayout Layout { get; }

    public BinaryEncoding Encoding { get; }

    public override IReadOnlyList<FieldMapping> Fields => _fields;

    public override void Decode(ReadOnlySpan<byte> payload, ReadOnlySpan<char> fieldKey, Reading reading, ref DecodeContext ctx) =>
        BinaryFrame.Decode(payload, Encoding, Layout, "payload", reading, ref ctx);
}
