using System.Globalization;
using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Core.Loading;
using SmartCity.IoT.Core.Model;
using YamlDotNet.RepresentationModel;

namespace SmartCity.IoT.Devices.Loading;

/// <summary>
/// <c>payload: { format: records }</c>: a record-list (type-length-value) frame. Either the profile declares its record types
/// (<c>marker</c>, <c>length_byte</c>, <c>records</c>) and each field names its <c>record</c> and its bytes within it, or it
/// names a shipped layout (<c>layout: cayenne-lpp</c>) and each field names an LPP type and channel.
/// </summary>
internal sealed class RecordPayloadBuilder : IPayloadBuilder
{
    private static readonly string[] RecordOnlyKeys = ["layout", "marker", "length_byte", "unknown", "records"];
    private static readonly string[] LppForbiddenFieldKeys = ["offset", "length", "signed", "endian", "float", "bits", "scale", "add"];

    private readonly ProfileContext _context;
    private readonly PayloadSection _payload;
    private readonly YamlSource _file;
    private readonly string? _lpp;
    private readonly RecordMarker _marker;
    private readonly bool _lengthByte;
    private readonly UnknownRecords _unknown;
    private readonly Dictionary<byte, (int Length, string Name)> _declared = [];
    private readonly Dictionary<byte, List<RecordValue>> _values = [];

    public RecordPayloadBuilder(ProfileContext context, PayloadSection payload, YamlMappingNode root)
    {
        _context = context;
        _payload = payload;
        _file = context.File;
        var pm = (YamlMappingNode)YamlSource.Get(root, "payload")!;
        const string what = "'payload'";
        var unknown = _file.Str(pm, "unknown", what) ?? "error";
        _unknown = unknown switch { "error" => UnknownRecords.Error, "skip" => UnknownRecords.Skip, _ => (UnknownRecords)(-1) };
        if ((int)_unknown < 0)
        {
            _file.Error(YamlSource.Get(pm, "unknown"), $"unknown: '{unknown}' must be error (a record no field maps fails the message) or skip (step over records of a known length)");
            _unknown = UnknownRecords.Error;
        }

        if (_file.Str(pm, "layout", what) is { } layout)
        {
            if (!CayenneLpp.IsLayout(layout))
            {
                var hint = DidYouMean.Closest(layout, [CayenneLpp.Layout, CayenneLpp.ExtendedLayout]);
                _file.Error(YamlSource.Get(pm, "layout"), $"layout '{layout}' is not a shipped record layout (known: {CayenneLpp.Layout}, {CayenneLpp.ExtendedLayout}){(hint is null ? "" : $"; did you mean '{hint}'?")}", hint);
                return;
            }

            _lpp = layout;
            _marker = RecordMarker.ChannelType;
            context.RejectKeys(pm, ["marker", "length_byte", "records"], key => $"'{key}' does not go with 'layout: {layout}': the layout defines the markers and records");

            return;
        }

        var marker = _file.Str(pm, "marker", what) ?? "type";
        _marker = marker switch { "type" => RecordMarker.Type, "channel_type" => RecordMarker.ChannelType, _ => (RecordMarker)(-1) };
        if ((int)_marker < 0)
        {
            _file.Error(YamlSource.Get(pm, "marker"), $"marker '{marker}' must be type (one type byte per record) or channel_type (a channel byte, then a type byte)");
            _marker = RecordMarker.Type;
        }

        _lengthByte = _file.Bool(pm, "length_byte", what) ?? false;
        if (YamlSource.Get(pm, "records") is not { } recordsNode)
        {
            _file.Error(YamlSource.KeyNode(pm, "format"), "a record-list payload needs 'records' (each { type: 0x01, length: 2, name: ... }) or a shipped 'layout: cayenne-lpp'");
            return;
        }

        if (_file.AsSeq(recordsNode, "'payload.records'") is not { } seq)
        {
            return;
        }

        foreach (var item in seq)
        {
            ReadRecord(item);
        }
    }

    /// <summary>Reports record-list keys on a payload of another format.</summary>
    public static void RejectKeysUnless(ProfileContext context, YamlMappingNode payload, bool isRecords)
    {
        if (!isRecords)
        {
            context.RejectKeys(payload, RecordOnlyKeys, key => $"'{key}' is for a record-list payload ('format: records')");
        }
    }

    public string SourceOf(YamlMappingNode field, string name, string? path, bool isBinary) => "";

    public string? DefaultUnit(YamlMappingNode field) =>
        _lpp is not null && YamlSource.Get(field, "record") is YamlScalarNode { Value: { } text } && CayenneLpp.Find(_lpp, text) is { } type
            ? PartOf(type, (YamlSource.Get(field, "part") as YamlScalarNode)?.Value)?.Unit
            : null;

    public void Add(FieldSpec field)
    {
        var what = $"field '{field.Name}'";
        if (field.Path is not null)
        {
            _file.Error(YamlSource.Get(field.Node, "path"), $"{what}: a record-list payload reads fields by 'record', not by JSON 'path'");
            return;
        }

        if (_file.Str(field.Node, "record", what, required: true) is not { } recordText)
        {
            return;
        }

        var recordNode = YamlSource.Get(field.Node, "record")!;
        var channel = -1;
        if (YamlSource.Get(field.Node, "channel") is { } channelNode)
        {
            if (_marker != RecordMarker.ChannelType)
            {
                _file.Error(channelNode, $"{what}: 'channel' needs 'marker: channel_type' (records introduced by a channel byte)");
                return;
            }

            if (_file.Num(channelNode, $"{what}: channel") is not { } ch || ch is < 0 or > 255 || ch != Math.Floor(ch))
            {
                _file.Error(channelNode, $"{what}: channel must be a whole number 0..255");
                return;
            }

            channel = (int)ch;
        }

        var value = _lpp is not null ? LppValue(field, recordText, recordNode, channel) : DeclaredValue(field, recordText, recordNode, channel);
        if (value is null)
        {
            return;
        }

        var code = value.Value.Code;
        if (!_values.TryGetValue(code, out var list))
        {
            _values[code] = list = [];
        }

        // An instance (instance: { channel: 3 }) is a reading of its own, keyed by the instance's ordinal in the profile.
        list.Add(field.Instance is { } instance
            ? value.Value.Value with { Instance = new Tag(instance.Key, instance.Value.AsMemory()), InstanceKey = instance.Ordinal }
            : value.Value.Value);
    }

    public PayloadDecoder Build(YamlMappingNode root, IReadOnlyList<TopicTemplate> topics, List<PayloadTag> payloadTags)
    {
        _context.RejectTimestampAndTags(root, "a record-list payload");
        var types = new List<RecordType>();
        if (_lpp is not null)
        {
            foreach (var t in CayenneLpp.TypesOf(_lpp))
            {
                types.Add(new RecordType(t.Code, t.Length, t.Name, _values.GetValueOrDefault(t.Code) ?? []));
            }
        }
        else
        {
            foreach (var (code, (length, name)) in _declared)
            {
                types.Add(new RecordType(code, length, name, _values.GetValueOrDefault(code) ?? []));
            }
        }

        return new RecordPayloadDecoder(new RecordLayout(_marker, _lengthByte, _unknown, types), _payload.Encoding);
    }

    private void ReadRecord(YamlNode item)
    {
        if (_file.AsMap(item, "a record") is not { } m)
        {
            return;
        }

        _file.CheckKeys(m, "a record", ProfileLoader.RecordKeys);
        var type = _file.Num(m, "type", "a record", required: true);
        var length = _file.Num(m, "length", "a record", required: true);
        var name = _file.Str(m, "name", "a record") ?? "";
        if (type is null || length is null)
        {
            return;
        }

        if (type is < 0 or > 255 || type != Math.Floor(type.Value))
        {
            _file.Error(YamlSource.Get(m, "type"), "a record's type must be one byte, 0x00..0xff");
            return;
        }

        if (length is < 0 or > 255 || length != Math.Floor(length.Value))
        {
            _file.Error(YamlSource.Get(m, "length"), "a record's length (its data bytes after the marker) must be 0..255");
            return;
        }

        if (!_declared.TryAdd((byte)type.Value, ((int)length.Value, name)))
        {
            _file.Error(YamlSource.Get(m, "type"), $"record type 0x{(byte)type.Value:x2} is declared twice");
        }
    }

    private (byte Code, RecordValue Value)? DeclaredValue(FieldSpec field, string recordText, YamlNode recordNode, int channel)
    {
        var what = $"field '{field.Name}'";
        if (!YamlSource.TryNumber(recordText, out var code) || code is < 0 or > 255 || code != Math.Floor(code))
        {
            _file.Error(recordNode, $"{what}: record '{recordText}' must be the type byte of one of 'payload.records' (such as 0x01)");
            return null;
        }

        if (!_declared.TryGetValue((byte)code, out var declared))
        {
            var known = string.Join(", ", _declared.Select(d => $"0x{d.Key:x2}{(d.Value.Name.Length > 0 ? " " + d.Value.Name : "")}"));
            _file.Error(recordNode, $"{what}: record 0x{(byte)code:x2} is not declared in 'payload.records' (declared: {(known.Length > 0 ? known : "none")})");
            return null;
        }

        var prefix = string.Create(CultureInfo.InvariantCulture, $"record {(channel >= 0 ? $"channel {channel} " : "")}0x{(byte)code:x2}{(declared.Name.Length > 0 ? $" ({declared.Name})" : "")} ");
        if (BinaryFieldBuilder.Build(_file, field.Node, field.Mapping, field.Name, prefix, inRecord: true) is not { } bf)
        {
            return null;
        }

        if (bf.End > declared.Length)
        {
            _file.Error(field.Node, $"{what}: {bf.Describe()} is beyond record 0x{(byte)code:x2}, which has {declared.Length} data byte(s) (offsets count from the first byte after the marker{(_lengthByte ? " and the length byte" : "")})");
            return null;
        }

        return ((byte)code, new RecordValue(channel, bf));
    }

    private (byte Code, RecordValue Value)? LppValue(FieldSpec field, string recordText, YamlNode recordNode, int channel)
    {
        var what = $"field '{field.Name}'";
        if (!_context.RejectKeys(field.Node, LppForbiddenFieldKeys, key => $"{what}: '{key}' does not go with layout {_lpp}: the LPP type defines how its bytes are read"))
        {
            return null;
        }

        if (CayenneLpp.Find(_lpp!, recordText) is not { } type)
        {
            var names = CayenneLpp.TypesOf(_lpp!).Select(t => t.Name).ToList();
            var hint = DidYouMean.Closest(recordText, names);
            var extendedOnly = _lpp == CayenneLpp.Layout && CayenneLpp.Find(CayenneLpp.ExtendedLayout, recordText) is not null ? $" ('{recordText}' is an extended type: use 'layout: {CayenneLpp.ExtendedLayout}')" : "";
            _file.Error(recordNode, $"{what}: '{recordText}' is not a type of {_lpp}{extendedOnly} (known: {string.Join(", ", names)}){(hint is null || extendedOnly.Length > 0 ? "" : $"; did you mean '{hint}'?")}", hint);
            return null;
        }

        var partText = (YamlSource.Get(field.Node, "part") as YamlScalarNode)?.Value;
        if (PartOf(type, partText) is not { } part)
        {
            var parts = string.Join(", ", type.Parts.Select(p => p.Name));
            _file.Error(YamlSource.Get(field.Node, "part") ?? field.Node, type.Parts.Count == 1
                ? $"{what}: LPP {type.Name} has one value; remove 'part'"
                : $"{what}: LPP {type.Name} has several values; say which with 'part: ' one of {parts}");
            return null;
        }

        if (channel < 0 && YamlSource.Get(field.Node, "channel") is null)
        {
            _file.Error(field.Node, $"{what}: say which LPP channel carries it ('channel: 0..255'); a device numbers its channels itself");
            return null;
        }

        var m = field.Mapping;
        var source = string.Create(CultureInfo.InvariantCulture, $"LPP channel {channel} {type.Name}{(part.Name.Length > 0 ? "." + part.Name : "")} (0x{type.Code:x2})");
        var mapping = new FieldMapping(m.Field, source, m.Unit, m.Factor, m.Offset, m.Min, m.Max, m.Decimals, m.Map, m.Required);
        return (type.Code, new RecordValue(channel, new BinaryField(mapping, part.Offset, part.Length, part.Signed, bigEndian: true, isFloat: false, 0, 0, part.Scale, 0)));
    }

    private static CayenneLppPart? PartOf(CayenneLppType type, string? part) =>
        part is null
            ? type.Parts.Count == 1 ? type.Parts[0] : null
            : type.Parts.Count > 1 ? type.Parts.FirstOrDefault(p => string.Equals(p.Name, part, StringComparison.OrdinalIgnoreCase)) : null;
}
