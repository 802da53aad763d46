using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Core.Loading;
using YamlDotNet.RepresentationModel;

namespace SmartCity.IoT.Devices.Loading;

/// <summary><c>payload: { format: senml }</c>: fields by SenML record name (<c>key</c>, default the field's name), units from the records.</summary>
internal sealed class SenmlPayloadBuilder(ProfileContext context, PayloadSection payload) : IPayloadBuilder
{
    private readonly List<(string Key, FieldMapping Mapping)> _fields = [];

    public string SourceOf(YamlMappingNode field, string name, string? path, bool isBinary) => "record '" + Key(field, name) + "'";

    public void Add(FieldSpec field)
    {
        var file = context.File;
        if (field.IsBinary || field.Path is not null)
        {
            file.Error(field.Node, $"field '{field.Name}': a SenML field is found by its record name; use 'key: <n>' instead of 'path' or 'offset'");
            return;
        }

        if (YamlSource.Get(field.Node, "unit_path") is { } unitPath)
        {
            file.Error(unitPath, $"field '{field.Name}': a SenML record carries its unit in 'u' (or the pack's 'bu'); remove unit_path");
            return;
        }

        if (field.Instance is not null)
        {
            file.Error(field.Node, $"field '{field.Name}': SenML records are told apart by name, time and base name; 'instance' is for JSON paths");
            return;
        }

        var key = Key(field.Node, field.Name);
        if (_fields.Any(f => f.Key == key))
        {
            file.Error(field.Node, $"field '{field.Name}': record name '{key}' is already mapped to another field");
            return;
        }

        _fields.Add((key, field.Mapping));
    }

    public PayloadDecoder Build(YamlMappingNode root, IReadOnlyList<TopicTemplate> topics, List<PayloadTag> payloadTags)
    {
        foreach (var key in (string[])["timestamp", "tags"])
        {
            if (YamlSource.Get(root, key) is not null)
            {
                context.File.Error(YamlSource.KeyNode(root, key), $"'{key}' is not used with a SenML pack: times come from its records (bt, t), devices from the topic or the base name");
            }
        }

        return new SenmlPayloadDecoder(_fields, payload.DeviceFromBaseName);
    }

    private string Key(YamlMappingNode field, string name) => context.File.Str(field, "key", $"field '{name}'") ?? name;
}
