using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Core.Loading;
using YamlDotNet.RepresentationModel;

namespace SmartCity.IoT.Devices.Loading;

/// <summary><c>payload: { format: binary }</c>: every field at an offset of a fixed layout (raw, hex or base64 bytes).</summary>
internal sealed class BinaryPayloadBuilder(ProfileContext context, PayloadSection payload) : IPayloadBuilder
{
    private readonly List<BinaryField> _fields = [];

    public string SourceOf(YamlMappingNode field, string name, string? path, bool isBinary) => isBinary ? "" : path ?? "";

    public void Add(FieldSpec field)
    {
        if (!field.IsBinary)
        {
            context.File.Error(field.Node, $"field '{field.Name}': a binary payload needs 'offset' and 'length' for each field");
            return;
        }

        if (BinaryFieldBuilder.Build(context.File, field.Node, field.Mapping, field.Name) is { } bf)
        {
            _fields.Add(bf);
        }
    }

    public PayloadDecoder Build(YamlMappingNode root, IReadOnlyList<TopicTemplate> topics, List<PayloadTag> payloadTags)
    {
        context.RejectTimestampAndTags(root, "a binary payload");
        var layout = BinaryAssertions.Layout(context, (YamlMappingNode)YamlSource.Get(root, "payload")!, _fields, "'payload'");
        return new BinaryPayloadDecoder(layout ?? new BinaryLayout(_fields), payload.Encoding);
    }
}
