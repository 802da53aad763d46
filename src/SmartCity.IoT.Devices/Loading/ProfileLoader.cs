using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Core.Loading;
using SmartCity.IoT.Core.Pipeline;
using SmartCity.IoT.Devices.Codecs;
using SmartCity.IoT.Devices.Samples;
using YamlDotNet.RepresentationModel;

namespace SmartCity.IoT.Devices.Loading;

/// <summary>
/// Compiles one profile file into a <see cref="DeviceProfile"/> with its decoding attached, reporting every problem with its
/// line and column: the profile's own keys and topics here, the payload through <see cref="PayloadCompiler"/>, the samples
/// through <see cref="SampleParser"/>. The keys accepted are the ones in devices/schema/device-profile.schema.json (a test keeps them in step).
/// </summary>
internal sealed class ProfileLoader
{
    public static readonly string[] TopKeys = ["id", "vendor", "model", "family", "description", "firmware", "max_payload_bytes", "source", "retained", "topics", "availability", "payload", "timestamp", "fields", "tags", "samples"];
    public static readonly string[] TopicKeys = ["template", "device_id"];
    public static readonly string[] AvailabilityKeys = ["template", "device_id", "path", "online", "offline", "sleeping", "unknown"];
    public static readonly string[] PayloadKeys = ["format", "encoding", "frame", "device", "frame_length", "markers", "layout", "marker", "length_byte", "unknown", "records", "codec", "fport", "ignore"];
    public static readonly string[] FrameKeys = ["path", "encoding", "frame_length", "markers"];
    public static readonly string[] MarkerKeys = ["offset", "hex"];
    public static readonly string[] RecordKeys = ["type", "length", "name"];
    public static readonly string[] TimestampKeys = ["path", "format", "utc_offset"];
    public static readonly string[] FieldKeys = ["name", "path", "key", "offset", "length", "signed", "endian", "float", "bits", "scale", "add", "unit", "unit_path", "instance", "range", "map", "required", "record", "channel", "part", "metric"];
    public static readonly string[] TagKeys = ["name", "path", "instance"];
    public static readonly string[] SampleKeys = ["name", "topic", "payload", "payload_hex", "payload_base64", "received_at", "expect", "expect_error", "expect_rejected", "expect_online", "after"];

    private readonly ProfileContext _context;
    private readonly YamlSource _file;
    private readonly int _globalMaxPayload;

    private ProfileLoader(YamlSource file, IReadOnlyDictionary<string, VocabularyEntry> entries, int globalMaxPayload, string fullPath)
    {
        _context = new ProfileContext(file, entries) { Directory = Path.GetDirectoryName(Path.GetFullPath(fullPath)) ?? "." };
        _file = file;
        _globalMaxPayload = globalMaxPayload;
    }

    public static LoadedProfile? Load(string fullPath, string displayPath, string expectedId, IReadOnlyDictionary<string, VocabularyEntry> entries, List<Diagnostic> errors, int globalMaxPayload = MessageDecoder.DefaultMaxPayloadBytes)
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

        var loader = new ProfileLoader(file, entries, globalMaxPayload, fullPath);
        var profile = loader.Compile(fullPath, expectedId, out var samples, out var positions);
        return profile is null || errors.Count > before
            ? null
            : new LoadedProfile { Profile = profile, FullPath = fullPath, DisplayPath = displayPath, Samples = samples, TopicPositions = positions, Warnings = loader._context.Warnings };
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

        var source = _file.Str(root, "source", "the profile");
        if (source is not null && !SourceName.IsValid(source))
        {
            _file.Error(YamlSource.Get(root, "source"), $"source '{source}' must name a source of Mqtt:Sources ({SourceName.Rule})");
        }

        var retained = RetainedPolicy.Skip;
        switch (_file.Str(root, "retained", "the profile"))
        {
            case null or "skip":
                break;
            case "replay":
                retained = RetainedPolicy.Replay;
                break;
            case var other:
                _file.Error(YamlSource.Get(root, "retained"), $"retained '{other}' must be skip or replay", DidYouMean.Closest(other, ["skip", "replay"]));
                break;
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
            var sleeping = _file.StrList(am, "sleeping", "'availability'") ?? [];
            var unknown = _file.StrList(am, "unknown", "'availability'") ?? [];
            JsonPath? path = null;
            if (_file.Str(am, "path", "'availability'") is { } p)
            {
                path = _context.ParsePath(p, YamlSource.Get(am, "path")!);
            }

            if (tpl is not null)
            {
                availability = new AvailabilityTopic(tpl, new AvailabilityValues(online, offline, sleeping, unknown), path);
                positions.Add((tpl, (int)availNode.Start.Line, (int)availNode.Start.Column));
            }
        }

        var decoder = PayloadCompiler.Compile(_context, root, topics, out var payloadTags);
        if (id is null || vendor is null || model is null || family is null || decoder is null)
        {
            return null;
        }

        var profile = new DeviceProfile(id, vendor, model, family)
        {
            Description = _file.Str(root, "description", "the profile") ?? "",
            Firmware = _file.Str(root, "firmware", "the profile") ?? "",
            SourcePath = fullPath,
            Source = source,
            Retained = retained,
        };
        profile.AttachDecoding(new ProfileDecoding(topics, decoder, availability, maxPayload, payloadTags));
        samples = SampleParser.Parse(_file, root, id, decoder as IStatefulDecoder);
        if (decoder is CodecPayloadDecoder codec)
        {
            samples.AddRange(codec.Examples.Select(e => e.ToSample(id)));
        }

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
}
