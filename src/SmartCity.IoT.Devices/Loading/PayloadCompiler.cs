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
            "records" => new RecordPayloadBuilder(context, payload, root),
            "senml" => new SenmlPayloadBuilder(context, payload),
            "sparkplug" => new SparkplugPayloadBuilder(context),
            "codec" => new CodecPayloadBuilder(context, payload, YamlSource.Get(root, "payload")!),
            _ => new JsonPayloadBuilder(context, payload),
        };
        var seenFields = new Dictionary<string, List<FieldInstance?>>(StringComparer.Ordinal);
        var instances = new Dictionary<string, FieldInstance>(StringComparer.Ordinal);
        var reserved = ReservedTagNames(topics);
        foreach (var item in fieldSeq)
        {
            if (Field(context, item, builder, seenFields, instances, reserved) is { } field)
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

    /// <summary>Names a payload tag may not take: topic levels, <c>device</c>, <c>model</c>.</summary>
    public static HashSet<string> ReservedTagNames(IReadOnlyList<TopicTemplate> topics) =>
        topics.SelectMany(t => t.Segments).Where(s => s.IsNamed).Select(s => s.Name!).Append(MessageDecoder.DeviceTag).Append(MessageDecoder.ModelTag).ToHashSet();

    /// <summary>One entry of <c>fields:</c> checked against the vocabulary and mapped to its canonical unit, or null after an error.</summary>
    private static FieldSpec? Field(ProfileContext context, YamlNode item, IPayloadBuilder builder, Dictionary<string, List<FieldInstance?>> seenFields, Dictionary<string, FieldInstance> instances, HashSet<string> reserved)
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

        var instance = YamlSource.Get(fmap, "instance") is { } instanceNode ? Instance(context, instanceNode, name, instances, reserved) : null;
        if (YamlSource.Get(fmap, "instance") is not null && instance is null)
        {
            return null;
        }

        if (seenFields.TryGetValue(name, out var seen) && (instance is null || seen.Contains(null) || seen.Contains(instance)))
        {
            file.Error(nameNode, instance is null || seen.Contains(null)
                ? $"field '{name}' is mapped twice; map each vocabulary field once, or give every mapping of it an instance (instance: {{ probe: 1 }}) to keep several values"
                : $"field '{name}' instance {instance} is mapped twice; give each path its own instance value");
            return null;
        }

        if (seen is null)
        {
            seenFields[name] = seen = [];
        }

        seen.Add(instance);
        var isBinary = YamlSource.Get(fmap, "offset") is not null || YamlSource.Get(fmap, "record") is not null; // record-list fields read bytes too
        var path = file.Str(fmap, "path", $"field '{name}'");
        var mapping = FieldMappingBuilder.Build(context, fmap, entry, name, builder.SourceOf(fmap, name, path, isBinary), isBinary, builder.DefaultUnit(fmap));
        return mapping is null ? null : new FieldSpec(fmap, name, path, isBinary, mapping, instance);
    }

    /// <summary><c>instance: { probe: 1 }</c>: one tag whose value tells this mapping's values apart from the field's other mappings.</summary>
    private static FieldInstance? Instance(ProfileContext context, YamlNode node, string field, Dictionary<string, FieldInstance> instances, HashSet<string> reserved)
    {
        var file = context.File;
        if (node is not YamlMappingNode { Children.Count: 1 } map || map.Children.First().Value is not YamlScalarNode { Value: { Length: > 0 } value })
        {
            file.Error(node, $"field '{field}': 'instance' is one tag and its value, for example instance: {{ probe: 1 }}");
            return null;
        }

        var key = YamlSource.KeyName(map.Children.First().Key);
        if (!VocabularyLoader.IsSnakeCase(key) || reserved.Contains(key) || context.Entries.ContainsKey(key))
        {
            file.Error(map.Children.First().Key, $"field '{field}': instance tag '{key}' must be snake_case and differ from topic segments, 'device', 'model' and vocabulary field names");
            return null;
        }

        var text = key + "=" + value;
        if (!instances.TryGetValue(text, out var instance))
        {
            instance = new FieldInstance(key, value, instances.Count);
            instances.Add(text, instance);
        }

        return instance;
    }
}
