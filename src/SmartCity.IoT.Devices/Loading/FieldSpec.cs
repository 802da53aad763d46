using SmartCity.IoT.Core.Decoding;
using YamlDotNet.RepresentationModel;

namespace SmartCity.IoT.Devices.Loading;

/// <summary>One entry of a profile's <c>fields:</c>, checked against the vocabulary, on its way to a payload builder.</summary>
/// <param name="IsBinary">The field has an 'offset' (a binary layout position).</param>
/// <param name="Instance">The field's <c>instance: { tag: value }</c>, or null.</param>
internal sealed record FieldSpec(YamlMappingNode Node, string Name, string? Path, bool IsBinary, FieldMapping Mapping, FieldInstance? Instance = null);
