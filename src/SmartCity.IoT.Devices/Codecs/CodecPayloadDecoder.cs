using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Core.Model;

namespace SmartCity.IoT.Devices.Codecs;

/// <summary>
/// <c>payload: { format: codec }</c>: the payload's bytes go through the profile's JavaScript codec in its
/// <see cref="CodecSandbox"/>, and the codec's <c>data</c> through the profile's fields like a JSON payload (paths on
/// <c>data</c>, the vocabulary's units and ranges). A codec that throws, hits a limit or returns errors dead-letters the
/// message (codec_failed, codec_limit); a value of <c>data</c> no field maps is a dropped field (unmapped_field) unless the
/// profile lists it under <c>ignore</c>. Allocates per message (engine, input array, JSON): not for the high-rate path.
/// </summary>
internal sealed class CodecPayloadDecoder : PayloadDecoder
{
    public const string FPortTag = "fport";

    private readonly JsonPayloadDecoder _json;
    private readonly HashSet<string> _known;
    private readonly List<CodecExample> _examples = [];

    public CodecPayloadDecoder(CodecSandbox sandbox, JsonPayloadDecoder json, BinaryEncoding encoding, int fPort, IEnumerable<string> mappedKeys)
    {
        Sandbox = sandbox;
        _json = json;
        Encoding = encoding;
        FPort = fPort;
        _known = new HashSet<string>(mappedKeys, StringComparer.Ordinal);
    }

    public CodecSandbox Sandbox { get; }

    public BinaryEncoding Encoding { get; }

    /// <summary>The fPort handed to the codec unless the topic has an <c>{fport}</c> level.</summary>
    public int FPort { get; }

    public IReadOnlyList<CodecExample> Examples => _examples;

    public override IReadOnlyList<FieldMapping> Fields => _json.Fields;

    internal void AddExample(CodecExample example) => _examples.Add(example);

    public override void Decode(ReadOnlySpan<byte> payload, ReadOnlySpan<char> fieldKey, Reading reading, ref DecodeContext ctx)
    {
        if (!TryBytes(payload, out var bytes))
        {
            ctx.Fail(DecodeError.MalformedPayload, $"the payload is not valid {Encoding.ToString().ToLowerInvariant()}");
            return;
        }

        var fPort = FPort;
        if (reading.TryGetTag(FPortTag, out var portText) && (!int.TryParse(portText.Span, out fPort) || fPort is < 0 or > 255))
        {
            ctx.Fail(DecodeError.MalformedPayload, $"topic level fport '{portText}' is not a LoRaWAN port (0..255)");
            return;
        }

        var outcome = Sandbox.Run(bytes, fPort);
        if (outcome.Kind != CodecOutcomeKind.Data)
        {
            ctx.Fail(outcome.Kind == CodecOutcomeKind.Limit ? DecodeError.CodecLimit : DecodeError.CodecFailed, outcome.Problem!);
            return;
        }

        using var doc = JsonDocument.Parse(outcome.ResultJson!);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            ctx.Fail(DecodeError.CodecFailed, $"codec {Sandbox.Name} returned {Short(root.GetRawText())}, not {{data, warnings, errors}}");
            return;
        }

        if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0)
        {
            ctx.Fail(DecodeError.CodecFailed, $"codec {Sandbox.Name} returned errors: {string.Join("; ", errors.EnumerateArray().Select(Text))}");
            return;
        }

        if (root.TryGetProperty("warnings", out var warnings) && warnings.ValueKind == JsonValueKind.Array && warnings.GetArrayLength() > 0)
        {
            ctx.Warn($"codec {Sandbox.Name} warns: {string.Join("; ", warnings.EnumerateArray().Select(Text))}");
        }

        if (!root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
        {
            ctx.Fail(DecodeError.CodecFailed, $"codec {Sandbox.Name} returned no 'data' object and no errors");
            return;
        }

        foreach (var p in data.EnumerateObject())
        {
            if (!_known.Contains(p.Name))
            {
                ctx.Reject(DecodeError.UnmappedField, $"codec {Sandbox.Name} returned '{p.Name}' ({Short(p.Value.GetRawText())}), which no field maps (map it, or list it under payload.ignore)");
            }
        }

        _json.Decode(System.Text.Encoding.UTF8.GetBytes(data.GetRawText()), fieldKey, reading, ref ctx);
    }

    private bool TryBytes(ReadOnlySpan<byte> payload, out byte[] bytes)
    {
        switch (Encoding)
        {
            case BinaryEncoding.Hex:
                bytes = new byte[payload.Length / 2 + 1];
                if (HexText.TryDecode(payload, bytes, out var n))
                {
                    bytes = bytes[..n];
                    return true;
                }

                return false;
            case BinaryEncoding.Base64:
                var text = payload.Trim(" \t\r\n\""u8);
                bytes = new byte[Base64.GetMaxDecodedFromUtf8Length(text.Length)];
                if (Base64.DecodeFromUtf8(text, bytes, out _, out var written) == System.Buffers.OperationStatus.Done)
                {
                    bytes = bytes[..written];
                    return true;
                }

                return false;
            default:
                bytes = payload.ToArray();
                return true;
        }
    }

    private static string Text(JsonElement e) => e.ValueKind == JsonValueKind.String ? e.GetString() ?? "" : e.GetRawText();

    private static string Short(string s) => s.Length <= 80 ? s : s[..80] + "…";
}
