using SmartCity.IoT.Core.Decoding;
using YamlDotNet.RepresentationModel;

namespace SmartCity.IoT.Devices.Loading;

/// <summary>Builds the decoder of one payload format from a profile's fields; one implementation per <c>payload.format</c>.</summary>
internal interface IPayloadBuilder
{
    /// <summary>Where the field's value comes from, as the decoder names it in errors (a JSON path, a topic level, ...).</summary>
    string SourceOf(YamlMappingNode field, string name, string? path, bool isBinary);

    /// <summary>The unit a field's value arrives in when the profile does not say (a payload format with units of its own), or null: the vocabulary's.</summary>
    string? DefaultUnit(YamlMappingNode field) => null;

    /// <summary>Adds a field, reporting what this format does not accept.</summary>
    void Add(FieldSpec field);

    /// <summary>The decoder, after every field was added; also reads the profile-level keys only this format has.</summary>
    PayloadDecoder Build(YamlMappingNode root, IReadOnlyList<TopicTemplate> topics, List<PayloadTag> payloadTags);
}
