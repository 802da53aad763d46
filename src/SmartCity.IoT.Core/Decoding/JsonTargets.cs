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
    private readonly List<FieldInstance?> _instances = [];
    private readonly List<bool> _payloadUnit = [];
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

    public JsonTarget AddField(FieldMapping mapping, FieldInstance? instance = null, bool unitFromPayload = false)
    {
        _fields.Add(mapping);
        _instances.Add(instance);
        _payloadUnit.Add(unitFromPayload);
        return new JsonTarget(JsonTargetKind.Field, _fields.Count - 1);
    }

    /// <summary>
    /// The unit string in the object under <paramref name="reader"/> (a copy; its StartObject) when <paramref name="node"/>'s
    /// fields take their unit from a sibling property, else empty. Escaped text is unescaped into <paramref name="scratch"/>.
    /// </summary>
    public static ReadOnlySpan<byte> UnitsIn(JsonPathNode node, Utf8JsonReader reader, Span<byte> scratch)
    {
        if (node.UnitName is not { } name)
        {
            return default;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var match = reader.ValueTextEquals(name);
            reader.Read();
            if (match && reader.TokenType == JsonTokenType.String)
            {
                if (!reader.ValueIsEscaped)
                {
                    return reader.ValueSpan;
                }

                var n = JsonText.Unescape(ref reader, scratch);
                return n >= 0 ? scratch[..n] : reader.ValueSpan;
            }

            reader.Skip();
        }

        return default;
    }

    /// <summary>
    /// An array element that turned out not to be a reading of its own: its fields and tags join <paramref name="parent"/>;
    /// a field <paramref name="parent"/> already has is rejected (the path matched more than one value).
    /// </summary>
    public void Merge(Reading element, Reading parent, ref DecodeContext ctx)
    {
        foreach (var id in element.FieldIds)
        {
            if (parent.Has(id))
            {
                RejectDuplicate(id, ref ctx);
            }
            else
            {
                parent.Set(id, element.GetOrNaN(id));
            }
        }

        foreach (var tag in element.Tags)
        {
            if (!parent.TryGetTag(tag.Key, out _))
            {
                parent.AddTag(tag.Key, tag.Value);
            }
        }

        element.Reset();
        ctx.Readings.RemoveLast(element);
    }

    private void RejectDuplicate(int fieldId, ref DecodeContext ctx)
    {
        var mapping = _fields.First(f => f.FieldId == fieldId);
        ctx.Reject(DecodeError.WrongType, $"{mapping.Field.Name} ({mapping.Source}): the payload has more than one value for it; tell them apart with an instance tag, a timestamp or a device in each array element, or an 'instance' per path (devices/README.md, field instances)");
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
    public void Apply(ref Utf8JsonReader reader, JsonTarget target, Reading reading, scoped ReadOnlySpan<byte> unit, ref DecodeContext ctx)
    {
        var token = reader.TokenType;
        if (token == JsonTokenType.Null)
        {
            return; // null means "not reported" (Zigbee2MQTT does this); required fields are checked by the caller
        }

        if (target.Kind == JsonTargetKind.Field)
        {
            if (_instances[target.Index] is { } instance)
            {
                reading = ctx.Readings.For(instance.Ordinal);
                reading.SetInstance(instance.Key, instance.ValueMemory);
            }

            if (reading.Has(_fields[target.Index].FieldId))
            {
                RejectDuplicate(_fields[target.Index].FieldId, ref ctx);
                return;
            }

            if (token == JsonTokenType.Number)
            {
                // The common case first, before the scratch buffer below (zeroed on every call) is set up.
                ApplyNumber(ref reader, _fields[target.Index], reading, _payloadUnit[target.Index] ? unit : default, ref ctx);
                return;
            }
        }

        Span<byte> scratch = stackalloc byte[JsonText.ScratchBytes];
        switch (target.Kind)
        {
            case JsonTargetKind.Field:
                var mapping = _fields[target.Index];
                switch (token)
                {
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
                if (ReferenceEquals(reading, ctx.Readings.First))
                {
                    Timestamp!.Apply(ref reader, scratch, ref ctx);
                }
                else
                {
                    // A timestamp inside an array element: that element's reading's own time.
                    var (had, at) = (ctx.HasTimestamp, ctx.TimestampNs);
                    ctx.HasTimestamp = false;
                    Timestamp!.Apply(ref reader, scratch, ref ctx);
                    if (ctx.HasTimestamp)
                    {
                        reading.SetTimestamp(ctx.TimestampNs);
                    }

                    (ctx.HasTimestamp, ctx.TimestampNs) = (had, at);
                }

                break;
            case JsonTargetKind.Tag:
                ApplyTag(ref reader, _tags[target.Index], reading, ref ctx);
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

    private static void ApplyTag(ref Utf8JsonReader reader, PayloadTag tag, Reading reading, ref DecodeContext ctx)
    {
        var value = reader.TokenType == JsonTokenType.String ? JsonText.InternString(ref reader, tag, ref ctx) : tag.Values.Intern(reader.ValueSpan);
        if (value is not { Length: > 0 })
        {
            return;
        }

        if (tag.IsDevice)
        {
            reading.SetDevice(tag.Key, value.AsMemory());
        }
        else if (tag.IsInstance)
        {
            reading.SetInstance(tag.Key, value.AsMemory());
        }
        else
        {
            reading.AddTag(tag.Key, value.AsMemory());
        }
    }

    private static void ApplyNumber(ref Utf8JsonReader reader, FieldMapping mapping, Reading reading, scoped ReadOnlySpan<byte> unit, ref DecodeContext ctx)
    {
        if (ShortDecimal.TryParse(reader.ValueSpan, out var d) || reader.TryGetDouble(out d))
        {
            mapping.ApplyNumber(d, unit, reading, ref ctx);
        }
        else
        {
            mapping.RejectKind("a number out of double range", ref ctx);
        }
    }
}
