using System.Globalization;
using System.Text;
using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Core.Loading;
using SmartCity.IoT.Core.Model;
using SmartCity.IoT.Devices.Samples;
using YamlDotNet.RepresentationModel;

namespace SmartCity.IoT.Devices.Loading;

/// <summary>
/// Compiles one profile file into a <see cref="DeviceProfile"/> with its decoding attached, reporting every problem with its
/// line and column. The keys accepted here are the ones in devices/schema/device-profile.schema.json (a test keeps them in step).
/// </summary>
internal sealed class ProfileLoader
{
    public static readonly string[] TopKeys = ["id", "vendor", "model", "family", "description", "firmware", "max_payload_bytes", "topics", "availability", "payload", "timestamp", "fields", "tags", "samples"];
    public static readonly string[] TopicKeys = ["template", "device_id"];
    public static readonly string[] AvailabilityKeys = ["template", "device_id", "path", "online", "offline"];
    public static readonly string[] PayloadKeys = ["format", "encoding", "frame"];
    public static readonly string[] FrameKeys = ["path", "encoding"];
    public static readonly string[] TimestampKeys = ["path", "format", "utc_offset"];
    public static readonly string[] FieldKeys = ["name", "path", "key", "offset", "length", "signed", "endian", "float", "bits", "scale", "add", "unit", "range", "map", "required"];
    public static readonly string[] TagKeys = ["name", "path"];
    public static readonly string[] SampleKeys = ["name", "topic", "payload", "payload_hex", "payload_base64", "received_at", "expect", "expect_error", "expect_rejected", "expect_online"];

    /// <summary>The receive time samples use unless they set received_at: 2025-11-23T00:00:00Z.</summary>
    public const long DefaultReceivedUnixNs = 1_763_856_000_000_000_000L;

    private readonly YamlSource _file;
    private readonly FieldVocabulary _vocabulary;
    private readonly IReadOnlyDictionary<string, VocabularyEntry> _entries;
    private readonly int _globalMaxPayload;

    private ProfileLoader(YamlSource file, FieldVocabulary vocabulary, IReadOnlyDictionary<string, VocabularyEntry> entries, int globalMaxPayload)
    {
        _file = file;
        _vocabulary = vocabulary;
        _entries = entries;
        _globalMaxPayload = globalMaxPayload;
    }

    public static LoadedProfile? Load(string fullPath, string displayPath, string expectedId, FieldVocabulary vocabulary, IReadOnlyDictionary<string, VocabularyEntry> entries, List<Diagnostic> errors, int globalMaxPayload = MessageDecoder.DefaultMaxPayloadBytes)
    {
        var before = errors.Count;
        var file = YamlSource.Load(fullPath, displayPath, errors);
        if (file.Root is null)
        {
            if (file.IsEmpty)
            {
                file.Error(null, "the file is empty");
            }

            return null;
        }

        var profile = new ProfileLoader(file, vocabulary, entries, globalMaxPayload).Compile(fullPath, expectedId, out var samples, out var positions);
        return profile is null || errors.Count > before
            ? null
            : new LoadedProfile { Profile = profile, FullPath = fullPath, DisplayPath = displayPath, Samples = samples, TopicPositions = positions };
    }

    private DeviceProfile? Compile(string fullPath, string expectedId, out List<ProfileSample> samples, out List<(TopicTemplate, int, int)> positions)
    {
        samples = [];
        positions = [];
        if (_file.AsMap(_file.Root, "a device profile") is not { } root)
        {
            return null;
        }

        _file.CheckKeys(root, "the profile", TopKeys);
        var id = _file.Str(root, "id", "the profile", required: true);
        var vendor = _file.Str(root, "vendor", "the profile", required: true);
        var model = _file.Str(root, "model", "the profile", required: true);
        var family = _file.Str(root, "family", "the profile", required: true);
        if (id is not null && !string.Equals(id, expectedId, StringComparison.Ordinal))
        {
            _file.Error(YamlSource.Get(root, "id"), $"id '{id}' does not match the file's path; set 'id: {expectedId}' or move the file to devices/{id}.yaml");
        }

        if (family is not null && !VocabularyLoader.IsSnakeCase(family))
        {
            _file.Error(YamlSource.Get(root, "family"), $"family '{family}' must be snake_case (it becomes the InfluxDB measurement), e.g. environment, water_quality");
        }

        var maxPayload = (int?)_file.Num(root, "max_payload_bytes", "the profile") ?? _globalMaxPayload;
        if (maxPayload <= 0)
        {
            _file.Error(YamlSource.Get(root, "max_payload_bytes"), "max_payload_bytes must be positive");
        }

        var topics = new List<TopicTemplate>();
        if (YamlSource.Get(root, "topics") is not { } topicsNode)
        {
            _file.Error(root, "the profile has no 'topics' (add at least one template such as buildings/{building}/floors/{floor}/env/{deviceId}/telemetry)");
        }
        else if (_file.AsSeq(topicsNode, "'topics'") is { } topicSeq)
        {
            foreach (var t in topicSeq)
            {
                if (ParseTopic(t, TopicKeys, "a topic") is { } tpl)
                {
                    topics.Add(tpl);
                    positions.Add((tpl, (int)t.Start.Line, (int)t.Start.Column));
                }
            }

            if (topicSeq.Children.Count == 0)
            {
                _file.Error(topicsNode, "'topics' is empty; add at least one template");
            }
        }

        AvailabilityTopic? availability = null;
        if (YamlSource.Get(root, "availability") is { } availNode && _file.AsMap(availNode, "'availability'") is { } am)
        {
            _file.CheckKeys(am, "'availability'", AvailabilityKeys);
            var tpl = ParseTopic(am, AvailabilityKeys, "'availability'", checkKeys: false);
            var online = _file.StrList(am, "online", "'availability'") ?? ["online"];
            var offline = _file.StrList(am, "offline", "'availability'") ?? ["offline"];
            JsonPath? path = null;
            if (_file.Str(am, "path", "'availability'") is { } p)
            {
                path = ParsePath(p, YamlSource.Get(am, "path")!);
            }

            if (tpl is not null)
            {
                availability = new AvailabilityTopic(tpl, new AvailabilityValues(online, offline), path);
                positions.Add((tpl, (int)availNode.Start.Line, (int)availNode.Start.Column));
            }
        }

        var decoder = CompileDecoder(root, topics, out var payloadTags);
        if (id is null || vendor is null || model is null || family is null || decoder is null)
        {
            return null;
        }

        var profile = new DeviceProfile(id, vendor, model, family)
        {
            Description = _file.Str(root, "description", "the profile") ?? "",
            Firmware = _file.Str(root, "firmware", "the profile") ?? "",
            SourcePath = fullPath,
        };
        profile.AttachDecoding(new ProfileDecoding(topics, decoder, availability, maxPayload, payloadTags));
        samples = ParseSamples(root, id);
        return profile;
    }

    private TopicTemplate? ParseTopic(YamlNode node, string[] keys, string what, bool checkKeys = true)
    {
        string? template;
        string? deviceId = null;
        if (node is YamlScalarNode s)
        {
            template = s.Value;
        }
        else if (_file.AsMap(node, what) is { } m)
        {
            if (checkKeys)
            {
                _file.CheckKeys(m, what, keys);
            }

            template = _file.Str(m, "template", what, required: true);
            deviceId = _file.Str(m, "device_id", what);
        }
        else
        {
            return null;
        }

        if (template is null)
        {
            return null;
        }

        if (!TopicTemplate.TryParse(template, deviceId, out var tpl, out var error))
        {
            _file.Error(node, error);
            return null;
        }

        return tpl;
    }

    private JsonPath? ParsePath(string text, YamlNode node)
    {
        if (JsonPath.TryParse(text, out var path, out var error))
        {
            return path;
        }

        _file.Error(node, error);
        return null;
    }

    private PayloadDecoder? CompileDecoder(YamlMappingNode root, List<TopicTemplate> topics, out List<PayloadTag> payloadTags)
    {
        payloadTags = [];
        var format = "json";
        var encoding = BinaryEncoding.Raw;
        JsonPath? framePath = null;
        var frameEncoding = BinaryEncoding.Base64;
        var payloadNode = YamlSource.Get(root, "payload");
        if (payloadNode is null)
        {
            _file.Error(root, "the profile has no 'payload' (add 'payload: { format: json }', binary or value)");
            return null;
        }

        if (_file.AsMap(payloadNode, "'payload'") is not { } pm)
        {
            return null;
        }

        _file.CheckKeys(pm, "'payload'", PayloadKeys);
        format = _file.Str(pm, "format", "'payload'", required: true) ?? format;
        if (format is not ("json" or "binary" or "value"))
        {
            _file.Error(YamlSource.Get(pm, "format"), $"payload format '{format}' must be json, binary or value");
            return null;
        }

        if (_file.Str(pm, "encoding", "'payload'") is { } enc && !TryEncoding(enc, YamlSource.Get(pm, "encoding")!, out encoding))
        {
            return null;
        }

        if (YamlSource.Get(pm, "frame") is { } frameNode && _file.AsMap(frameNode, "'payload.frame'") is { } fm)
        {
            _file.CheckKeys(fm, "'payload.frame'", FrameKeys);
            if (format != "json")
            {
                _file.Error(frameNode, "'frame' (a binary frame inside a JSON string) needs 'format: json'");
            }

            if (_file.Str(fm, "path", "'payload.frame'", required: true) is { } fp)
            {
                framePath = ParsePath(fp, YamlSource.Get(fm, "path")!);
            }

            if (_file.Str(fm, "encoding", "'payload.frame'") is { } fe && !TryEncoding(fe, YamlSource.Get(fm, "encoding")!, out frameEncoding))
            {
                return null;
            }

            if (frameEncoding == BinaryEncoding.Raw)
            {
                _file.Error(frameNode, "a frame inside JSON must be 'encoding: base64' or 'hex'");
            }
        }

        var jsonFields = new List<(JsonPath Path, FieldMapping Mapping)>();
        var binaryFields = new List<BinaryField>();
        var valueFields = new List<(string Key, FieldMapping Mapping)>();
        var seenFields = new HashSet<string>(StringComparer.Ordinal);
        if (YamlSource.Get(root, "fields") is not { } fieldsNode || _file.AsSeq(fieldsNode, "'fields'") is not { } fieldSeq)
        {
            if (YamlSource.Get(root, "fields") is null)
            {
                _file.Error(root, "the profile has no 'fields'");
            }

            return null;
        }

        foreach (var item in fieldSeq)
        {
            if (_file.AsMap(item, "a field") is not { } fmap)
            {
                continue;
            }

            _file.CheckKeys(fmap, "a field", FieldKeys);
            var name = _file.Str(fmap, "name", "a field", required: true);
            if (name is null)
            {
                continue;
            }

            var nameNode = YamlSource.Get(fmap, "name")!;
            if (!_entries.TryGetValue(name, out var entry))
            {
                var hint = DidYouMean.Closest(name, _entries.Keys);
                _file.Error(nameNode, $"unknown field '{name}': every field must use a name from devices/vocabulary.yaml{(hint is null ? " (add it there first)" : $" (did you mean '{hint}'?)")}");
                continue;
            }

            if (!seenFields.Add(name))
            {
                _file.Error(nameNode, $"field '{name}' is mapped twice; map each vocabulary field once");
                continue;
            }

            var isBinary = YamlSource.Get(fmap, "offset") is not null;
            var path = _file.Str(fmap, "path", $"field '{name}'");
            string source;
            if (format == "value")
            {
                source = "topic level '" + (_file.Str(fmap, "key", $"field '{name}'") ?? name) + "'";
            }
            else if (isBinary)
            {
                source = "";
            }
            else
            {
                source = path ?? "";
            }

            var mapping = CompileMapping(fmap, entry, name, source, isBinary);
            if (mapping is null)
            {
                continue;
            }

            switch (format)
            {
                case "value":
                    if (isBinary || path is not null)
                    {
                        _file.Error(item, $"field '{name}': a value payload has no 'path' or 'offset'; use 'key' to name its topic level");
                    }

                    valueFields.Add((_file.Str(fmap, "key", $"field '{name}'") ?? name, mapping));
                    break;
                case "binary":
                    if (!isBinary)
                    {
                        _file.Error(item, $"field '{name}': a binary payload needs 'offset' and 'length' for each field");
                        break;
                    }

                    if (CompileBinary(fmap, mapping, name) is { } bf)
                    {
                        binaryFields.Add(bf);
                    }

                    break;
                default:
                    if (isBinary)
                    {
                        if (framePath is null)
                        {
                            _file.Error(item, $"field '{name}' has 'offset' but the payload has no binary 'frame' (add payload.frame: {{ path: ..., encoding: base64 }})");
                        }
                        else if (CompileBinary(fmap, mapping, name) is { } frameField)
                        {
                            binaryFields.Add(frameField);
                        }
                    }
                    else if (path is null)
                    {
                        _file.Error(item, $"field '{name}' needs a JSON 'path' such as $.{name}");
                    }
                    else if (ParsePath(path, YamlSource.Get(fmap, "path")!) is { } jp)
                    {
                        jsonFields.Add((jp, mapping));
                    }

                    break;
            }
        }

        if (fieldSeq.Children.Count == 0)
        {
            _file.Error(fieldsNode, "'fields' is empty; map at least one value");
        }

        var hasField = topics.Any(t => t.FieldIndex >= 0);
        if (format == "value" && topics.Count > 0 && !hasField && valueFields.Count > 1)
        {
            _file.Error(YamlSource.Get(root, "topics"), "a value payload with several fields needs a {field} level in its topic template to pick the field");
        }

        if (format != "value" && hasField)
        {
            _file.Error(YamlSource.Get(root, "topics"), "the {field} topic level is only for 'payload: { format: value }'");
        }

        switch (format)
        {
            case "value":
                RejectTimestampAndTags(root, "a value payload");
                return new ValuePayloadDecoder(valueFields);
            case "binary":
                RejectTimestampAndTags(root, "a binary payload");
                return new BinaryPayloadDecoder(new BinaryLayout(binaryFields), encoding);
        }

        var json = new JsonPayloadDecoder();
        foreach (var (p, m) in jsonFields)
        {
            json.AddField(p, m);
        }

        if (framePath is not null)
        {
            json.SetBinary(framePath, frameEncoding, new BinaryLayout(binaryFields));
        }

        if (YamlSource.Get(root, "timestamp") is { } tsNode && _file.AsMap(tsNode, "'timestamp'") is { } tm)
        {
            _file.CheckKeys(tm, "'timestamp'", TimestampKeys);
            var fmt = _file.Str(tm, "format", "'timestamp'", required: true);
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
                _file.Error(YamlSource.Get(tm, "format"), $"timestamp format '{fmt}' must be iso8601, unix_s, unix_ms, unix_us, unix_ns or received");
            }

            var offset = TimeSpan.Zero;
            if (_file.Str(tm, "utc_offset", "'timestamp'") is { } off)
            {
                if (!TimeSpan.TryParseExact(off.TrimStart('+'), @"hh\:mm", CultureInfo.InvariantCulture, out offset) && !TimeSpan.TryParseExact(off.TrimStart('-'), @"hh\:mm", CultureInfo.InvariantCulture, out offset))
                {
                    _file.Error(YamlSource.Get(tm, "utc_offset"), $"utc_offset '{off}' must look like +08:00");
                }
                else if (off.StartsWith('-'))
                {
                    offset = -offset;
                }
            }

            if (tf is { } format2 && format2 != TimestampFormat.Received)
            {
                if (_file.Str(tm, "path", "'timestamp'", required: true) is { } tp && ParsePath(tp, YamlSource.Get(tm, "path")!) is { } tpath)
                {
                    json.SetTimestamp(tpath, format2, offset);
                }
            }
        }

        if (YamlSource.Get(root, "tags") is { } tagsNode && _file.AsSeq(tagsNode, "'tags'") is { } tagSeq)
        {
            var reserved = topics.SelectMany(t => t.Segments).Where(s => s.IsNamed).Select(s => s.Name!).Append(MessageDecoder.DeviceTag).Append(MessageDecoder.ModelTag).ToHashSet();
            foreach (var t in tagSeq)
            {
                if (_file.AsMap(t, "a tag") is not { } tmap)
                {
                    continue;
                }

                _file.CheckKeys(tmap, "a tag", TagKeys);
                var tname = _file.Str(tmap, "name", "a tag", required: true);
                var tpath = _file.Str(tmap, "path", "a tag", required: true);
                if (tname is null || tpath is null)
                {
                    continue;
                }

                if (!VocabularyLoader.IsSnakeCase(tname) || reserved.Contains(tname) || _entries.ContainsKey(tname))
                {
                    _file.Error(YamlSource.Get(tmap, "name"), $"tag name '{tname}' must be snake_case and differ from topic segments, 'device', 'model' and vocabulary field names");
                    continue;
                }

                if (ParsePath(tpath, YamlSource.Get(tmap, "path")!) is { } jp)
                {
                    var tag = new PayloadTag(tname, tpath);
                    payloadTags.Add(tag);
                    json.AddTag(jp, tag);
                }
            }
        }

        return json;
    }

    private void RejectTimestampAndTags(YamlMappingNode root, string what)
    {
        foreach (var key in (string[])["timestamp", "tags"])
        {
            if (YamlSource.Get(root, key) is { } n)
            {
                _file.Error(YamlSource.KeyNode(root, key), $"'{key}' needs a JSON payload; {what} uses the receive time and topic tags");
            }
        }
    }

    private bool TryEncoding(string text, YamlNode node, out BinaryEncoding encoding)
    {
        encoding = text switch { "raw" => BinaryEncoding.Raw, "hex" => BinaryEncoding.Hex, "base64" => BinaryEncoding.Base64, _ => (BinaryEncoding)(-1) };
        if ((int)encoding < 0)
        {
            _file.Error(node, $"encoding '{text}' must be raw, hex or base64");
            return false;
        }

        return true;
    }

    private FieldMapping? CompileMapping(YamlMappingNode fmap, VocabularyEntry entry, string name, string source, bool isBinary)
    {
        var field = entry.Field;
        var what = $"field '{name}'";
        var unit = _file.Str(fmap, "unit", what) ?? field.Unit;
        var conversion = UnitConversion.Identity;
        if (field.Type is FieldType.Float or FieldType.Integer)
        {
            if (!entry.Units.TryGetValue(unit, out conversion))
            {
                var known = string.Join(", ", entry.Units.Keys);
                _file.Error(YamlSource.Get(fmap, "unit"), $"{what}: unit '{unit}' has no conversion to {field.Unit} in devices/vocabulary.yaml (known: {known}); use one of those or add a conversion there");
                return null;
            }
        }
        else if (YamlSource.Get(fmap, "unit") is { } un && unit.Length > 0 && unit != field.Unit)
        {
            _file.Error(un, $"{what} is {field.Type.ToString().ToLowerInvariant()}; remove its unit");
        }

        var min = field.Min;
        var max = field.Max;
        if (YamlSource.Get(fmap, "range") is { } rangeNode)
        {
            if (rangeNode is YamlSequenceNode { Children.Count: 2 } rs && _file.Num(rs[0], $"{what}: range") is { } lo && _file.Num(rs[1], $"{what}: range") is { } hi)
            {
                if (lo > hi)
                {
                    _file.Error(rangeNode, $"{what}: range min {lo} is above max {hi} (write [min, max])");
                    return null;
                }

                if (lo < field.Min || hi > field.Max)
                {
                    _file.Error(rangeNode, $"{what}: range [{lo}, {hi}] {field.Unit} goes beyond the vocabulary's [{field.Min}, {field.Max}]; narrow it (the range is in the canonical unit {field.Unit})");
                    return null;
                }

                (min, max) = (lo, hi);
            }
            else if (rangeNode is not YamlSequenceNode { Children.Count: 2 })
            {
                _file.Error(rangeNode, $"{what}: range must be [min, max] in {field.Unit}");
                return null;
            }
        }

        var map = new List<ValueMapEntry>();
        if (YamlSource.Get(fmap, "map") is { } mapNode && _file.AsMap(mapNode, $"{what}: map") is { } mm)
        {
            if (field.Type is not (FieldType.Enum or FieldType.Boolean))
            {
                _file.Error(mapNode, $"{what}: 'map' is for enum and boolean fields");
            }

            foreach (var (k, v) in mm.Children)
            {
                var key = YamlSource.KeyName(k);
                var target = (v as YamlScalarNode)?.Value ?? "";
                double value;
                if (field.Type == FieldType.Enum)
                {
                    var index = field.EnumValues.ToList().IndexOf(target);
                    if (index < 0)
                    {
                        _file.Error(v, $"{what}: map value '{target}' is not one of {string.Join(", ", field.EnumValues)}");
                        continue;
                    }

                    value = index;
                }
                else if (bool.TryParse(target, out var b))
                {
                    value = b ? 1 : 0;
                }
                else
                {
                    _file.Error(v, $"{what}: map value '{target}' must be true or false");
                    continue;
                }

                map.Add(new ValueMapEntry(key, value));
            }
        }

        var required = _file.Bool(fmap, "required", what) ?? false;
        return new FieldMapping(field, isBinary ? "binary" : source, unit, conversion.Factor, conversion.Offset, min, max, entry.Decimals, map, required);
    }

    private BinaryField? CompileBinary(YamlMappingNode fmap, FieldMapping mapping, string name)
    {
        var what = $"field '{name}'";
        var offset = _file.Num(fmap, "offset", what, required: true);
        var length = _file.Num(fmap, "length", what) ?? 1;
        var signed = _file.Bool(fmap, "signed", what) ?? false;
        var endian = _file.Str(fmap, "endian", what) ?? "big";
        var isFloat = _file.Bool(fmap, "float", what) ?? false;
        var scale = _file.Num(fmap, "scale", what) ?? 1;
        var add = _file.Num(fmap, "add", what) ?? 0;
        int bitOffset = 0, bitCount = 0;
        if (YamlSource.Get(fmap, "bits") is { } bitsNode)
        {
            if (bitsNode is YamlSequenceNode { Children.Count: 2 } bs && _file.Num(bs[0], $"{what}: bits") is { } b0 && _file.Num(bs[1], $"{what}: bits") is { } b1)
            {
                (bitOffset, bitCount) = ((int)b0, (int)b1);
            }
            else
            {
                _file.Error(bitsNode, $"{what}: bits must be [first bit, bit count], counted from the least significant bit");
                return null;
            }
        }

        if (endian is not ("big" or "little"))
        {
            _file.Error(YamlSource.Get(fmap, "endian"), $"{what}: endian '{endian}' must be big or little");
            return null;
        }

        if (offset is null || offset < 0 || offset != Math.Floor(offset.Value) || length is < 1 or > 8 || length != Math.Floor(length))
        {
            _file.Error(fmap, $"{what}: offset must be a whole number >= 0 and length 1..8 bytes");
            return null;
        }

        if (isFloat && length is not (4 or 8))
        {
            _file.Error(YamlSource.Get(fmap, "length") ?? fmap, $"{what}: a float is 4 or 8 bytes long");
            return null;
        }

        if (bitCount < 0 || bitOffset < 0 || bitOffset + bitCount > length * 8 || (bitCount > 0 && isFloat))
        {
            _file.Error(YamlSource.Get(fmap, "bits") ?? fmap, $"{what}: bits [{bitOffset}, +{bitCount}] do not fit in {length} byte(s) (bits count from the least significant bit)");
            return null;
        }

        if (scale == 0)
        {
            _file.Error(YamlSource.Get(fmap, "scale")!, $"{what}: scale must not be 0");
            return null;
        }

        var withSource = new FieldMapping(mapping.Field, "", mapping.Unit, mapping.Factor, mapping.Offset, mapping.Min, mapping.Max, mapping.Decimals, mapping.Map, mapping.Required);
        var probe = new BinaryField(withSource, (int)offset.Value, (int)length, signed, endian == "big", isFloat, bitOffset, bitCount, scale, add);
        var described = new FieldMapping(mapping.Field, probe.Describe(), mapping.Unit, mapping.Factor, mapping.Offset, mapping.Min, mapping.Max, mapping.Decimals, mapping.Map, mapping.Required);
        return new BinaryField(described, probe.Offset, probe.Length, signed, probe.BigEndian, isFloat, bitOffset, bitCount, scale, add);
    }

    private List<ProfileSample> ParseSamples(YamlMappingNode root, string id)
    {
        var list = new List<ProfileSample>();
        if (YamlSource.Get(root, "samples") is not { } node)
        {
            _file.Error(YamlSource.KeyNode(root, "id"), "the profile has no 'samples'; add at least two payloads with their expected readings and one invalid payload with its error");
            return list;
        }

        if (_file.AsSeq(node, "'samples'") is not { } seq)
        {
            return list;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in seq)
        {
            if (_file.AsMap(item, "a sample") is not { } m)
            {
                continue;
            }

            _file.CheckKeys(m, "a sample", SampleKeys);
            var name = _file.Str(m, "name", "a sample", required: true) ?? $"sample at line {item.Start.Line}";
            if (!names.Add(name))
            {
                _file.Error(YamlSource.Get(m, "name"), $"sample name '{name}' is used twice; names become test names");
            }

            var what = $"sample '{name}'";
            var topic = _file.Str(m, "topic", what, required: true) ?? "";
            byte[]? payload = null;
            var kinds = 0;
            if (_file.Str(m, "payload", what) is { } text)
            {
                payload = Encoding.UTF8.GetBytes(text);
                kinds++;
            }

            if (_file.Str(m, "payload_hex", what) is { } hex)
            {
                var buffer = new byte[hex.Length];
                if (!HexText.TryDecode(Encoding.ASCII.GetBytes(hex), buffer, out var n))
                {
                    _file.Error(YamlSource.Get(m, "payload_hex"), $"{what}: payload_hex is not valid hex");
                }

                payload = buffer[..n];
                kinds++;
            }

            if (_file.Str(m, "payload_base64", what) is { } b64)
            {
                try
                {
                    payload = Convert.FromBase64String(b64);
                }
                catch (FormatException)
                {
                    _file.Error(YamlSource.Get(m, "payload_base64"), $"{what}: payload_base64 is not valid base64");
                }

                kinds++;
            }

            if (kinds != 1)
            {
                _file.Error(item, $"{what} needs exactly one of payload, payload_hex, payload_base64");
            }

            var received = DefaultReceivedUnixNs;
            if (_file.Str(m, "received_at", what) is { } ra)
            {
                if (DateTimeOffset.TryParse(ra, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var dto))
                {
                    received = (dto.UtcTicks - DateTime.UnixEpoch.Ticks) * 100;
                }
                else
                {
                    _file.Error(YamlSource.Get(m, "received_at"), $"{what}: received_at '{ra}' is not an ISO 8601 time");
                }
            }

            var expect = _file.Str(m, "expect", what);
            var expectError = _file.Str(m, "expect_error", what);
            var expectOnline = _file.Str(m, "expect_online", what);
            if ((expect is null ? 0 : 1) + (expectError is null ? 0 : 1) + (expectOnline is null ? 0 : 1) != 1)
            {
                _file.Error(item, $"{what} needs exactly one of expect (line protocol), expect_error (reason code or message) or expect_online (true/false)");
            }

            list.Add(new ProfileSample
            {
                ProfileId = id,
                Name = name,
                File = _file.File,
                Line = (int)item.Start.Line,
                Column = (int)item.Start.Column,
                Topic = topic,
                Payload = payload ?? [],
                ReceivedUnixNs = received,
                Expect = expect,
                ExpectError = expectError,
                ExpectRejected = _file.StrList(m, "expect_rejected", what) ?? [],
                ExpectOnline = expectOnline is null ? null : bool.TryParse(expectOnline, out var on) ? on : expectOnline == "online",
            });
        }

        if (list.Count(s => s.IsValid && s.ExpectOnline is null) < 2)
        {
            _file.Error(node, "a profile needs at least two valid samples with an 'expect' reading");
        }

        if (!list.Any(s => !s.IsValid))
        {
            _file.Error(node, "a profile needs at least one invalid sample with 'expect_error' (what a bad payload must say)");
        }

        return list;
    }
}
