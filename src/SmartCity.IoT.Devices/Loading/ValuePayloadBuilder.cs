using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Core.Loading;
using YamlDotNet.RepresentationModel;

namespace SmartCity.IoT.Devices.Loading;

/// <summary><c>payload: { format: value }</c>: one value per topic; the field comes from a {field} topic level (or is the only one).</summary>
internal sealed class ValuePayloadBuilder(ProfileContext context) : IPayloadBuilder
{
    private readonly List<(string Key, FieldMapping Mapping)> _fields = [];

    public string SourceOf(YamlMappingNode field, string name, string? path, bool isBinary) => "topic level '" + Key(field, name) + "'";

    public void Add(FieldSpec field)
    {
        if (field.IsBinary || field.Path is not null)
        {
            context.File.Error(field.Node, $"field '{field.Name}': a value payload has no 'path' or 'offset'; use 'key' to name its topic level");
        }

        _fields.Add((Key(field.Node, field.Name), field.Mapping));
    }

    public PayloadDecoder Build(YamlMappingNode root, IReadOnlyList<TopicTemplate> topics, List<PayloadTag> payloadTags)
    {
        if (topics.Count > 0 && !topics.Any(t => t.FieldIndex >= 0) && _fields.Count > 1)
        {
            context.File.Error(YamlSource.Get(root, "topics"), "a value payload with several fields needs a {field} level in its topic template to pick the field");
        }

        context.RejectTimestampAndTags(root, "a value payload");
        return new ValuePayloadDecoder(_fields);
    }

    private string Key(YamlMappingNode field, string name) => context.File.Str(field, "key", $"field '{name}'") ?? name;
}
