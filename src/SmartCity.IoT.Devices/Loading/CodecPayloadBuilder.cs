using System.Text.Json.Nodes;
using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Core.Loading;
using SmartCity.IoT.Devices.Codecs;
using YamlDotNet.RepresentationModel;

namespace SmartCity.IoT.Devices.Loading;

/// <summary>
/// <c>payload: { format: codec, codec: FILE, encoding, fport, ignore }</c>: a JavaScript <c>decodeUplink</c> codec (a
/// <c>.js</c> file, or a TTN device-repository codec file <c>*-codec.yaml</c> naming it in <c>uplinkDecoder.fileName</c>
/// with example vectors that run as samples); the fields are JSON paths on the codec's <c>data</c>.
/// </summary>
internal sealed class CodecPayloadBuilder(ProfileContext context, PayloadSection payload, YamlNode payloadNode) : IPayloadBuilder
{
    private readonly JsonPayloadBuilder _json = new(context, payload);
    private readonly HashSet<string> _keys = new(StringComparer.Ordinal);

    public string SourceOf(YamlMappingNode field, string name, string? path, bool isBinary) => _json.SourceOf(field, name, path, isBinary);

    public void Add(FieldSpec field)
    {
        if (field.IsBinary)
        {
            context.File.Error(field.Node, $"field '{field.Name}': a codec field is a JSON 'path' on the codec's data, not an 'offset'");
            return;
        }

        _json.Add(field);
        if (field.Path is { } p && FirstKey(p) is { } key)
        {
            _keys.Add(key);
        }
    }

    public PayloadDecoder Build(YamlMappingNode root, IReadOnlyList<TopicTemplate> topics, List<PayloadTag> payloadTags)
    {
        var file = context.File;
        var json = (JsonPayloadDecoder)_json.Build(root, topics, payloadTags);
        var pm = (YamlMappingNode)payloadNode;
        var fport = (int?)file.Num(pm, "fport", "'payload'") ?? 1;
        if (fport is < 0 or > 255)
        {
            file.Error(YamlSource.Get(pm, "fport"), $"fport {fport} must be a LoRaWAN port, 0..255");
        }

        foreach (var ignored in file.StrList(pm, "ignore", "'payload'") ?? [])
        {
            _keys.Add(ignored);
        }

        if (payload.FramePath is not null)
        {
            file.Error(YamlSource.Get(pm, "frame"), "'frame' is for 'format: json'; a codec receives the payload's bytes");
        }

        if (file.Str(pm, "codec", "'payload'", required: true) is not { } codecName)
        {
            return json;
        }

        var codecNode = YamlSource.Get(pm, "codec")!;
        var codecPath = Path.Combine(context.Directory, codecName);
        var examples = new List<(YamlMappingNode Node, YamlSource File)>();
        var scriptPath = codecPath;
        if (codecName.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || codecName.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
        {
            if (ReadCodecFile(codecPath, codecNode, examples) is not { } script)
            {
                return json;
            }

            scriptPath = script;
        }
        else if (!codecName.EndsWith(".js", StringComparison.OrdinalIgnoreCase))
        {
            file.Error(codecNode, $"codec '{codecName}' must be a .js file or a TTN codec file (*-codec.yaml)");
            return json;
        }

        if (!File.Exists(scriptPath))
        {
            file.Error(codecNode, $"codec file '{Path.GetRelativePath(context.Directory, scriptPath)}' does not exist (paths are relative to the profile)");
            return json;
        }

        var limits = CodecLimits.Default;
        if (!CodecSandbox.TryCreate(Path.GetFileName(scriptPath), File.ReadAllText(scriptPath), limits, out var sandbox, out var error))
        {
            file.Error(codecNode, $"codec {Path.GetFileName(scriptPath)} is not valid JavaScript: {error}");
            return json;
        }

        var decoder = new CodecPayloadDecoder(sandbox!, json, payload.Encoding, fport, _keys);
        foreach (var (node, source) in examples)
        {
            if (Example(decoder, node, source) is { } example)
            {
                decoder.AddExample(example);
            }
        }

        // Warm-up calls with the examples (or an empty frame) now, so the first uplink is not the interpreter's first run.
        IEnumerable<(byte[], int)> warmUp = decoder.Examples.Count > 0 ? decoder.Examples.Select(e => (e.Bytes, e.FPort)) : [([], fport)];
        if (!sandbox!.TryPrepare(warmUp, out var problem))
        {
            file.Error(codecNode, $"codec {Path.GetFileName(scriptPath)}: {problem}");
            return json;
        }

        return decoder;
    }

    /// <summary>The first key of a JSON path (<c>$.air.temperature</c> → air, <c>$['pm2.5']</c> → pm2.5).</summary>
    internal static string? FirstKey(string path)
    {
        if (path.StartsWith("$.", StringComparison.Ordinal))
        {
            var rest = path[2..];
            var end = rest.IndexOfAny(['.', '[']);
            return end < 0 ? rest : rest[..end];
        }

        if (path.StartsWith("$['", StringComparison.Ordinal) && path.IndexOf("']", 3, StringComparison.Ordinal) is var close and > 3)
        {
            return path[3..close];
        }

        return null;
    }

    /// <summary>Reads a TTN codec file; returns the script's full path, collecting its uplink examples.</summary>
    private string? ReadCodecFile(string codecPath, YamlNode codecNode, List<(YamlMappingNode, YamlSource)> examples)
    {
        var display = Path.GetRelativePath(context.Directory, codecPath);
        if (!File.Exists(codecPath))
        {
            context.File.Error(codecNode, $"codec file '{display}' does not exist (paths are relative to the profile)");
            return null;
        }

        var errors = new List<Diagnostic>();
        var codec = YamlSource.Load(codecPath, Path.Combine(Path.GetDirectoryName(context.File.File) ?? "", Path.GetFileName(codecPath)), errors);
        if (codec.AsMap(codec.Root, "a codec file") is not { } root
            || YamlSource.Get(root, "uplinkDecoder") is not { } up || codec.AsMap(up, "'uplinkDecoder'") is not { } upm
            || codec.Str(upm, "fileName", "'uplinkDecoder'", required: true) is not { } fileName)
        {
            context.File.Error(codecNode, $"codec file '{display}' needs uplinkDecoder.fileName (the TTN device repository's codec shape){(errors.Count > 0 ? ": " + errors[0] : "")}");
            return null;
        }

        foreach (var e in errors)
        {
            context.File.Error(codecNode, $"codec file: {e}");
        }

        if (YamlSource.Get(upm, "examples") is { } exNode && codec.AsSeq(exNode, "'examples'") is { } seq)
        {
            foreach (var item in seq)
            {
                if (codec.AsMap(item, "an example") is { } m)
                {
                    examples.Add((m, codec));
                }
            }
        }

        return Path.Combine(Path.GetDirectoryName(codecPath) ?? ".", fileName);
    }

    private CodecExample? Example(CodecPayloadDecoder decoder, YamlMappingNode m, YamlSource source)
    {
        var description = source.Str(m, "description", "an example") ?? $"line {m.Start.Line}";
        if (YamlSource.Get(m, "input") is not YamlMappingNode input || YamlSource.Get(m, "output") is not YamlMappingNode output)
        {
            context.File.Error(null, $"{source.File}:{m.Start.Line}: codec example '{description}' needs 'input' (fPort, bytes) and 'output'");
            return null;
        }

        var fport = (int?)source.Num(input, "fPort", "'input'") ?? decoder.FPort;
        if (YamlSource.Get(input, "bytes") is not YamlSequenceNode bytesNode)
        {
            context.File.Error(null, $"{source.File}:{m.Start.Line}: codec example '{description}' has no input.bytes (a list of byte values)");
            return null;
        }

        var bytes = new List<byte>();
        foreach (var b in bytesNode)
        {
            if (source.Num(b, "a byte") is { } v && v is >= 0 and <= 255 && v == Math.Floor(v))
            {
                bytes.Add((byte)v);
            }
            else
            {
                context.File.Error(null, $"{source.File}:{b.Start.Line}: codec example '{description}': byte values are 0..255");
                return null;
            }
        }

        return new CodecExample(decoder, description, fport, bytes.ToArray(), ToJson(output)!.ToJsonString(), source.File, (int)m.Start.Line, (int)m.Start.Column);
    }

    /// <summary>A YAML node as JSON (numbers and booleans by their plain scalar form, as YAML reads them).</summary>
    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(c => KeyValuePair.Create(YamlSource.KeyName(c.Key), ToJson(c.Value)))),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(ToJson).ToArray()),
        YamlScalarNode s when s.Style is YamlDotNet.Core.ScalarStyle.Plain => s.Value switch
        {
            null or "null" or "~" => null,
            "true" => JsonValue.Create(true),
            "false" => JsonValue.Create(false),
            var v when YamlSource.TryNumber(v, out var d) => JsonValue.Create(d),
            var v => JsonValue.Create(v),
        },
        YamlScalarNode s => JsonValue.Create(s.Value ?? ""),
        _ => null,
    };
}
