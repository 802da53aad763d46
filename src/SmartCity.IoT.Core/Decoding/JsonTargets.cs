using System.Text.Json;
using SmartCity.IoT.Core.Model;

namespace SmartCity.IoT.Core.Decoding;

/// <summary>
/// What a JSON decoder does with the values at its paths: fields (numbers, booleans, text through their
/// <see cref="FieldMapping"/>), tags, the timestamp, a binary frame carried in a string, availability.
/// </summary>
internal sealed class JsonTargets
{
    private readonly List<FieldMapping> _fields = [];
    private readonly List<PayloadTag> _tags = [];
    private BinaryEncoding _binaryEncoding;
    private BinaryLayout? _binaryLayout;
    private string _binaryPath = "";
    private AvailabilityValues? _availability;

    public IReadOnlyList<FieldMapping> Fields => _fields;

    public IReadOnlyList<PayloadTag> Tags => _tags;

    public JsonTimestamp? Timestamp { get; private set; }

    public BinaryLayout? BinaryLayout => _binaryLayout;

    public string BinaryPath => _binaryPath;

    public BinaryEncoding BinaryEncoding => _binaryEncoding;

    public JsonTarget AddField(FieldMapping mapping)
    {
        _fields.Add(mapping);
        return new JsonTarget(JsonTargetKind.Field, _fields.Count - 1);
    }

    public JsonTarget SetTimestamp(TimestampFormat format, TimeSpan utcOffset)
    {
        Timestamp = new JsonTimestamp(format, utcOffset);
        return new JsonTarget(JsonTargetKind.Timestamp, 0);
    }

    public JsonTarget AddTag(PayloadTag tag)
    {
        _tags.Add(tag);
        return new JsonTarget(JsonTargetKind.Tag, _tags.Count - 1);
    }

    /// <summary>The frame's fields join <see cref="Fields"/>.</summary>
    public JsonTarget SetBinary(string path, BinaryEncoding encoding, BinaryLayout layout)
    {
        _binaryEncoding = encoding;
        _binaryLayout = layout;
        _binaryPath = path;
        foreach (var f in layout.Fields)
        {
            _fields.Add(f.Mapping);
        }

        return new JsonTarget(JsonTargetKind.Binary, 0);
    }

    public JsonTarget SetAvailability(AvailabilityValues values)
    {
        _availability = values;
        return new JsonTarget(JsonTargetKind.Availability, 0);
    }

    /// <summary>Applies the scalar under <paramref name="reader"/> to <paramref name="target"/>.</summary>
    public void Apply(ref Utf8JsonReader reader, JsonTarget target, Reading reading, ref DecodeContext ctx)
    {
        var token = reader.TokenType;
        if (token == JsonTokenType.Null)
        {
            return; // null means "not reported" (Zigbee2MQTT does this); required fields are checked by the caller
        }

        if (target.Kind == JsonTargetKind.Field && token == JsonTokenType.Number)
        {
            // The common case first, before the scratch buffer below (zeroed on every call) is set up.
            ApplyNumber(ref reader, _fields[target.Index], reading, ref ctx);
            return;
        }

        Span<byte> scratch = stackalloc byte[JsonText.ScratchBytes];
        switch (target.Kind)
        {
            case JsonTargetKind.Field:
                var mapping = _fields[target.Index];
                switch (token)
                {
                    case JsonTokenType.Number:
                        ApplyNumber(ref reader, mapping, reading, ref ctx);
                        break;
                    case JsonTokenType.True:
                    case JsonTokenType.False:
                        mapping.ApplyBoolean(token == JsonTokenType.True, reading, ref ctx);
                        break;
                    case JsonTokenType.String:
                        mapping.ApplyText(JsonText.Unescape(ref reader, scratch) is var n1 && n1 >= 0 ? scratch[..n1] : reader.ValueSpan, reading, ref ctx);
                        break;
                }

                break;
            case JsonTargetKind.Timestamp:
                Timestamp!.Apply(ref reader, scratch, ref ctx);
                break;
            case JsonTargetKind.Tag:
                var tag = _tags[target.Index];
                var text = token == JsonTokenType.String ? (JsonText.Unescape(ref reader, scratch) is var n2 && n2 >= 0 ? scratch[..n2] : reader.ValueSpan) : reader.ValueSpan;
                var value = tag.Values.Intern(text);
                if (value is { Length: > 0 })
                {
                    reading.AddTag(tag.Key, value.AsMemory());
                }

                break;
            case JsonTargetKind.Binary:
                if (token != JsonTokenType.String)
                {
                    ctx.Fail(DecodeError.MalformedPayload, $"{_binaryPath}: expected a {_binaryEncoding.ToString().ToLowerInvariant()} string");
                    break;
                }

                if (reader.ValueIsEscaped)
                {
                    // Rare (an escaped '/' in base64): unescape into a small scratch buffer.
                    var len = JsonText.Unescape(ref reader, scratch);
                    BinaryFrame.Decode(len >= 0 ? scratch[..len] : reader.ValueSpan, _binaryEncoding, _binaryLayout!, _binaryPath, reading, ref ctx);
                }
                else
                {
                    BinaryFrame.Decode(reader.ValueSpan, _binaryEncoding, _binaryLayout!, _binaryPath, reading, ref ctx);
                }

                break;
            case JsonTargetKind.Availability:
                _availability!.Apply(token == JsonTokenType.String ? (JsonText.Unescape(ref reader, scratch) is var n3 && n3 >= 0 ? scratch[..n3] : reader.ValueSpan) : reader.ValueSpan, ref ctx);
                break;
        }
    }

    /// <summary>An object or array (<paramref name="kind"/>) stands where <paramref name="targets"/> expect a scalar.</summary>
    public void RejectContainer(List<JsonTarget> targets, string kind, ref DecodeContext ctx)
    {
        foreach (var t in targets)
        {
            switch (t.Kind)
            {
                case JsonTargetKind.Field:
                    _fields[t.Index].RejectKind(kind, ref ctx);
                    break;
                case JsonTargetKind.Timestamp:
                    ctx.Fail(DecodeError.BadTimestamp, $"timestamp: expected a {Timestamp!.Expected}, got {kind}");
                    break;
                case JsonTargetKind.Binary:
                    ctx.Fail(DecodeError.MalformedPayload, $"{_binaryPath}: expected a {_binaryEncoding.ToString().ToLowerInvariant()} string, got {kind}");
                    break;
                case JsonTargetKind.Availability:
                    ctx.Fail(DecodeError.UnknownAvailability, $"availability: expected a string or boolean, got {kind}");
                    break;
            }
        }
    }

    private static void ApplyNumber(ref Utf8JsonReader reader, FieldMapping mapping, Reading reading, ref DecodeContext ctx)
    {
        if (ShortDecimal.TryParse(reader.ValueSpan, out var d) || reader.TryGetDouble(out d))
        {
            mapping.ApplyNumber(d, reading, ref ctx);
        }
        else
        {
            mapping.RejectKind("a number out of double range", ref ctx);
        }
    }
}
