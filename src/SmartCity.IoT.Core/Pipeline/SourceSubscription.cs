using SmartCity.IoT.Core.Decoding;

namespace SmartCity.IoT.Core.Pipeline;

/// <summary>What the profiles listen to: every telemetry and availability template, which each source turns into filters in its own syntax.</summary>
public sealed class SourceSubscription(IReadOnlyList<TopicTemplate> templates)
{
    public IReadOnlyList<TopicTemplate> Templates { get; } = templates;

    /// <summary>Distinct filters in <paramref name="syntax"/>: a single-level wildcard for every named segment.</summary>
    public IReadOnlyList<string> FiltersFor(TopicSyntax syntax) =>
        Templates.Select(t => t.FilterFor(syntax)).Distinct(StringComparer.Ordinal).ToArray();
}
