using System.Text.Json;
using SmartCity.IoT.Core.Model;

namespace SmartCity.IoT.Core.Decoding;

/// <summary>
/// Decodes JSON in one forward pass of <see cref="Utf8JsonReader"/>: every path of the profile is merged into a trie
/// (<see cref="JsonPathNode"/>), subtrees no path needs are skipped, property names are compared as UTF-8 bytes, and
/// the values found go to their fields, tags, timestamp, binary frame or availability (<see cref="JsonTargets"/>).
/// Nothing is allocated for a good payload.
/// </summary>
public sealed class JsonPayloadDecoder : PayloadDecoder
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 32 };

    private readonly JsonPathNode _root = new(null, -1);
    private readonly JsonTargets _targets = new();
    private readonly JsonPathWalker _walker;

    public JsonPayloadDecoder()
    {
        _walker = new JsonPathWalker(_root, _targets);
    }

    public override IReadOnlyList<FieldMapping> Fields => _targets.Fields;

    public IReadOnlyList<PayloadTag> Tags => _targets.Tags;

    /// <summary>Where the timestamp is read, or null (receive time).</summary>
    public JsonPath? TimestampPath { get; private set; }

    public TimestampFormat TimestampFormat => _targets.Timestamp?.Format ?? TimestampFormat.Received;

    /// <summary>Offset applied to ISO 8601 times written without one.</summary>
    public TimeSpan TimestampUtcOffset => _targets.Timestamp?.UtcOffset ?? default;

    /// <summary>The binary frame carried in a JSON string, or null.</summary>
    public BinaryLayout? BinaryLayout => _targets.BinaryLayout;

    public string BinaryPath => _targets.BinaryPath;

    public BinaryEncoding BinaryEncoding => _targets.BinaryEncoding;

    public JsonPayloadDecoder AddField(JsonPath path, FieldMapping mapping) => AddField(path, mapping, null, null);

    /// <summary>
    /// A field at <paramref name="path"/>; with <paramref name="instance"/> its values go to that instance's reading; with
    /// <paramref name="unitPath"/> (a property next to the value: <c>$.pm.unit</c> for <c>$.pm.value</c>) the payload
    /// names the unit, converted through <see cref="FieldMapping.Units"/>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="unitPath"/> is not a sibling of <paramref name="path"/>, or its object already has another unit property.</exception>
    public JsonPayloadDecoder AddField(JsonPath path, FieldMapping mapping, FieldInstance? instance, JsonPath? unitPath)
    {
        if (unitPath is not null)
        {
            if (UnitSiblingError(path, unitPath) is { } error)
            {
                throw new ArgumentException(error, nameof(unitPath));
            }

            var parent = _root.Ensure(unitPath.Parent);
            var name = System.Text.Encoding.UTF8.GetBytes(unitPath.Steps[^1].Name!);
            if (parent.UnitName is { } other && !other.AsSpan().SequenceEqual(name))
            {
                throw new ArgumentException($"unit_path {unitPath}: the object already takes its unit from '{System.Text.Encoding.UTF8.GetString(other)}'", nameof(unitPath));
            }

            parent.UnitName = name;
        }

        _root.Add(path, _targets.AddField(mapping, instance, unitPath is not null));
        return this;
    }

    /// <summary>Why <paramref name="unitPath"/> cannot carry the unit of the value at <paramref name="path"/>, or null.</summary>
    public static string? UnitSiblingError(JsonPath path, JsonPath unitPath)
    {
        var last = unitPath.Steps.Count > 0 ? unitPath.Steps[^1] : default;
        return unitPath.Steps.Count == path.Steps.Count && last.Name is { } n && n != "*" && unitPath.Parent.SequenceEqual(path.Parent) && !unitPath.Steps.SequenceEqual(path.Steps)
            ? null
            : $"unit_path '{unitPath}' must name a property next to the value at '{path}' (the same object), for example $.pm.unit for $.pm.value";
    }

    public JsonPayloadDecoder SetTimestamp(JsonPath path, TimestampFormat format, TimeSpan utcOffset = default)
    {
        TimestampPath = path;
        _root.Add(path, _targets.SetTimestamp(format, utcOffset));
        return this;
    }

    public JsonPayloadDecoder AddTag(JsonPath path, PayloadTag tag)
    {
        _root.Add(path, _targets.AddTag(tag));
        return this;
    }

    /// <summary>A JSON string holding a binary frame (hex or base64), decoded by <paramref name="layout"/>; its fields join <see cref="Fields"/>.</summary>
    public JsonPayloadDecoder SetBinary(JsonPath path, BinaryEncoding encoding, BinaryLayout layout)
    {
        _root.Add(path, _targets.SetBinary(path.Text, encoding, layout));
        return this;
    }

    public JsonPayloadDecoder SetAvailability(JsonPath path, AvailabilityValues values)
    {
        _root.Add(path, _targets.SetAvailability(values));
        return this;
    }

    public override void Decode(ReadOnlySpan<byte> payload, ReadOnlySpan<char> fieldKey, Reading reading, ref DecodeContext ctx)
    {
        if (payload.Trim(" \t\r\n"u8).IsEmpty)
        {
            ctx.Fail(DecodeError.MalformedPayload, "the payload is empty, expected JSON");
            return;
        }

        try
        {
            var reader = new Utf8JsonReader(payload, ReaderOptions);
            reader.Read();
            _walker.Walk(ref reader, reading, ref ctx);
            if (reader.Read())
            {
                ctx.Fail(DecodeError.MalformedPayload, $"unexpected data after the JSON value at byte {reader.TokenStartIndex}");
            }
        }
        catch (JsonException e)
        {
            ctx.Fail(DecodeError.MalformedPayload, "invalid JSON: " + e.Message);
        }
    }
}
