using System.Globalization;
using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Core.Loading;
using YamlDotNet.RepresentationModel;

namespace SmartCity.IoT.Devices.Loading;

/// <summary><c>payload: { format: json }</c>: fields by JSON path, optionally a binary frame inside a JSON string, a payload timestamp and payload tags.</summary>
internal sealed class JsonPayloadBuilder(ProfileContext context, PayloadSection payload) : IPayloadBuilder
{
    private readonly List<(JsonPath Path, FieldMapping Mapping, FieldInstance? Instance, JsonPath? UnitPath)> _fields = [];
    private readonly List<BinaryField> _frameFields = [];

    public string SourceOf(YamlMappingNode field, string name, string? path, bool isBinary) => isBinary ? "" : path ?? "";

    public void Add(FieldSpec field)
    {
        var file = context.File;
        if (field.IsBinary)
        {
            if (payload.FramePath is null)
            {
                file.Error(field.Node, $"field '{field.Name}' has 'offset' but the payload has no binary 'frame' (add payload.frame: {{ path: ..., encoding: base64 }})");
            }
            else if (BinaryFieldBuilder.Build(file, field.Node, field.Mapping, field.Name) is { } frameField)
            {
                _frameFields.Add(frameField);
            }
        }
        else if (field.Path is null)
        {
            file.Error(field.Node, $"field '{field.Name}' needs a JSON 'path' such as $.{field.Name}");
        }
        else if (context.ParsePath(field.Path, YamlSource.Get(field.Node, "path")!) is { } jp)
        {
            if (field.Instance is not null && jp.HasWildcardOrFilter)
            {
                file.Error(YamlSource.Get(field.Node, "instance"), $"field '{field.Name}': 'instance' is for a fixed path; in an array ({field.Path}) tell the elements apart with a tag that has 'instance: true'");
                return;
            }

            JsonPath? unitPath = null;
            if (YamlSource.Get(field.Node, "unit_path") is { } unitNode && file.Str(field.Node, "unit_path", $"field '{field.Name}'") is { } up)
            {
                unitPath = context.ParsePath(up, unitNode);
                if (unitPath is not null && JsonPayloadDecoder.UnitSiblingError(jp, unitPath) is { } error)
                {
                    file.Error(unitNode, $"field '{field.Name}': {error}");
                    return;
                }

                if (field.Mapping.Field.Type is not (Core.Model.FieldType.Float or Core.Model.FieldType.Integer))
                {
                    file.Error(unitNode, $"field '{field.Name}' is {field.Mapping.Field.Type.ToString().ToLowerInvariant()}; 'unit_path' is for numbers");
                    return;
                }

                var parent = string.Join("", unitPath?.Parent.Select(s => s.ToString()) ?? []);
                if (unitPath is not null && _fields.Any(f => f.UnitPath is { } other && other.Text != unitPath.Text && string.Join("", other.Parent.Select(s => s.ToString())) == parent))
                {
                    file.Error(unitNode, $"field '{field.Name}': another field in the same object reads its unit from another property; one object has one unit property");
                    return;
                }
            }

            _fields.Add((jp, field.Mapping, field.Instance, unitPath));
        }
    }

    public PayloadDecoder Build(YamlMappingNode root, IReadOnlyList<TopicTemplate> topics, List<PayloadTag> payloadTags)
    {
        var json = new JsonPayloadDecoder();
        foreach (var (p, m, instance, unitPath) in _fields)
        {
            json.AddField(p, m, instance, unitPath);
        }

        if (payload.FramePath is not null)
        {
            var frameNode = (YamlMappingNode)YamlSource.Get((YamlMappingNode)YamlSource.Get(root, "payload")!, "frame")!;
            json.SetBinary(payload.FramePath, payload.FrameEncoding, BinaryAssertions.Layout(context, frameNode, _frameFields, "'payload.frame'") ?? new BinaryLayout(_frameFields));
        }

        if (YamlSource.Get(root, "timestamp") is { } tsNode && context.File.AsMap(tsNode, "'timestamp'") is { } tm)
        {
            ReadTimestamp(tm, json);
        }

        if (YamlSource.Get(root, "tags") is { } tagsNode && context.File.AsSeq(tagsNode, "'tags'") is { } tagSeq)
        {
            ReadTags(tagSeq, topics, json, payloadTags);
        }

        return json;
    }

    private void ReadTimestamp(YamlMappingNode tm, JsonPayloadDecoder json)
    {
        var file = context.File;
        file.CheckKeys(tm, "'timestamp'", ProfileLoader.TimestampKeys);
        var fmt = file.Str(tm, "format", "'timestamp'", required: true);
        var tf = fmt switch
        {
            "iso8601" => TimestampFormat.Iso8601,
            "unix_s" => TimestampFormat.UnixSeconds,
            "unix_ms" => TimestampFormat.UnixMilliseconds,
            "unix_us" => TimestampFormat.UnixMicroseconds,
            "unix_ns" => TimestampFormat.UnixNanoseconds,
            "received" => TimestampFormat.Received,
            _ => (TimestampFormat?)null,
        };
        if (tf is null && fmt is not null)
        {
            file.Error(YamlSource.Get(tm, "format"), $"timestamp format '{fmt}' must be iso8601, unix_s, unix_ms, unix_us, unix_ns or received");
        }

        var offset = TimeSpan.Zero;
        if (file.Str(tm, "utc_offset", "'timestamp'") is { } off)
        {
            if (!TimeSpan.TryParseExact(off.TrimStart('+'), @"hh\:mm", CultureInfo.InvariantCulture, out offset) && !TimeSpan.TryParseExact(off.TrimStart('-'), @"hh\:mm", CultureInfo.InvariantCulture, out offset))
            {
                file.Error(YamlSource.Get(tm, "utc_offset"), $"utc_offset '{off}' must look like +08:00");
            }
            else if (off.StartsWith('-'))
            {
                offset = -offset;
            }
        }

        if (tf is { } format && format != TimestampFormat.Received
            && file.Str(tm, "path", "'timestamp'", required: true) is { } tp && context.ParsePath(tp, YamlSource.Get(tm, "path")!) is { } tpath)
        {
            json.SetTimestamp(tpath, format, offset);
        }
    }

    private void ReadTags(YamlSequenceNode tagSeq, IReadOnlyList<TopicTemplate> topics, JsonPayloadDecoder json, List<PayloadTag> payloadTags)
    {
        var file = context.File;
        var reserved = PayloadCompiler.ReservedTagNames(topics);
        reserved.Remove(MessageDecoder.DeviceTag); // a 'device' tag from the payload is the reading's device id
        foreach (var t in tagSeq)
        {
            if (file.AsMap(t, "a tag") is not { } tmap)
            {
                continue;
            }

            file.CheckKeys(tmap, "a tag", ProfileLoader.TagKeys);
            var tname = file.Str(tmap, "name", "a tag", required: true);
            var tpath = file.Str(tmap, "path", "a tag", required: true);
            if (tname is null || tpath is null)
            {
                continue;
            }

            if (!VocabularyLoader.IsSnakeCase(tname) || reserved.Contains(tname) || context.Entries.ContainsKey(tname))
            {
                file.Error(YamlSource.Get(tmap, "name"), $"tag name '{tname}' must be snake_case and differ from topic segments, 'model' and vocabulary field names");
                continue;
            }

            var instance = file.Bool(tmap, "instance", "a tag") ?? false;
            if (instance && tname == MessageDecoder.DeviceTag)
            {
                file.Error(YamlSource.Get(tmap, "instance"), "the 'device' tag is the reading's device id; an instance tag tells instances of one device's fields apart (name it probe, channel, port, ...)");
                continue;
            }

            if (context.ParsePath(tpath, YamlSource.Get(tmap, "path")!) is { } jp)
            {
                var tag = new PayloadTag(tname, tpath, instance);
                payloadTags.Add(tag);
                json.AddTag(jp, tag);
            }
        }
    }
}
