namespace SmartCity.IoT.Gateway.Nats;

/// <summary>One line of the nats-server <c>mappings</c> block: a subject pattern, where it goes, and the templates it came from.</summary>
/// <param name="Pattern">The subject pattern: literal levels kept, <c>*</c> for every named segment.</param>
/// <param name="Destination"><c>&lt;prefix&gt;.{{partition(N,k)}}.</c> and the pattern with <c>{{wildcard(i)}}</c> for each <c>*</c>.</param>
/// <param name="PartitionLevel">0-based level of the token that picks the partition.</param>
/// <param name="Sources">The templates that share the pattern, first one first.</param>
internal sealed record SubjectMapping(string Pattern, string Destination, int PartitionLevel, IReadOnlyList<MappingTemplate> Sources);
