using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Core.Loading;
using YamlDotNet.RepresentationModel;

namespace SmartCity.IoT.Devices.Loading;

/// <summary>
/// A profile's decoder: reads <c>payload:</c>, checks each of <c>fields:</c> against the vocabulary, and hands it to the
/// builder of the payload's format.
/// </summary>
internal static class PayloadCompiler
{
    public static PayloadDecoder? Compile(ProfileContext context, YamlMappingNode root, List<TopicTemplate> topics, out List<PayloadTag> payloadTags)
    {
        payloadTags = [];
        var file = context.File;
        if (PayloadSection.Read(context, root) is not { } payload)
        {
            return null;
        }

        if (YamlSource.Get(root, "fields") is not { } fieldsNode || file.AsSeq(fieldsNode, "'fields'") is not { } fieldSeq)
        {
            if (YamlSource.Get(root, "fields") is null)
            {
                file.Error(root, "the profile has no 'fields'");
            }

            return null;
        }

        IPayloadBuilder builder = payload.Format switch
        {
            "value" => new ValuePayloadBuilder(context),
            "binary" => new BinaryPayloadBuilder(context, payload),
            "sparkplug" => new SparkplugPayloadBuilder(context),
            "codec" => new CodecPayloadBuilder(context, payload, YamlSource.Get(root, "payload")!),
            _ => new JsonPayloadBuilder(context, payload),
        };
        var seenFields = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in fieldSeq)
        {
            if (Field(context, item, builder, seenFields) is { } field)
            {
                builder.Add(field);
            }
        }

        if (fieldSeq.Children.Count == 0)
        {
            file.Error(fieldsNode, "'fields' is empty; map at least one value");
        }

        if (builder is not ValuePayloadBuilder && topics.Any(t => t.FieldIndex >= 0))
        {
            file.Error(YamlSource.Get(root, "topics"), "the {field} topic level is only for 'payload: { format: value }'");
        }

        return builder.Build(root, topics, payloadTags);
    }

    /// <summary>One entry of <c>fields:</c> checked against the vocabulary and mapped to its canonical unit, or null after an error.</summary>
    private static FieldSpec? Field(ProfileContext context, YamlNode item, IPayloadBuilder builder, HashSet<string> seenFields)
    {
        var file = context.File;
        if (file.AsMap(item, "a field") is not { } fmap)
        {
            return null;
        }

        file.CheckKeys(fmap, "a field", ProfileLoader.FieldKeys);
        if (file.Str(fmap, "name", "a field", required: true) is not { } name)
        {
            return null;
        }

        var nameNode = YamlSource.Get(fmap, "name")!;
        if (!context.Entries.TryGetValue(name, out var entry))
        {
            var hint = DidYouMean.Closest(name, context.Entries.Keys);
            file.Error(nameNode, $"unknown field '{name}': every field must use a name from devices/vocabulary.yaml{(hint is null ? " (add it there first)" : $" (did you mean '{hint}'?)")}", hint);
            return null;
        }

        if (!seenFields.Add(name))
        {
            file.Error(nameNode, $"field '{name}' is mapped twice; map each vocabulary field once");
            return null;
        }

        var isBinary = YamlSource.Get(fmap, "offset") is not null;
        var path = file.Str(fmap, "path", $"field '{name}'");
        var mapping = FieldMappingBuilder.Build(context, fmap, entry, name, builder.SourceOf(fmap, name, path, isBinary), isBinary);
        return mapping is null ? null : new FieldSpec(fmap, name, path, isBinary, mapping);
    }
}
