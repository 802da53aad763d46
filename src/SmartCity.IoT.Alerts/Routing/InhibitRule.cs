using SmartCity.IoT.Alerts.Options;

namespace SmartCity.IoT.Alerts.Routing;

/// <summary>A compiled <see cref="InhibitRuleOptions"/>.</summary>
internal sealed class InhibitRule
{
    public InhibitRule(InhibitRuleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Source = LabelMatcher.ParseAll(options.SourceMatchers);
        Target = LabelMatcher.ParseAll(options.TargetMatchers);
        Equal = options.Equal.ToArray();
    }

    public IReadOnlyList<LabelMatcher> Source { get; }

    public IReadOnlyList<LabelMatcher> Target { get; }

    public IReadOnlyList<string> Equal { get; }

    /// <summary>True when <paramref name="source"/> (a firing alert) inhibits <paramref name="target"/>.</summary>
    public bool Inhibits(IReadOnlyDictionary<string, string> source, IReadOnlyDictionary<string, string> target)
    {
        return LabelMatcher.MatchesAll(Target, target) && LabelMatcher.MatchesAll(Source, source) && AgreeOnEqual(source, target);
    }

    /// <summary>True when the two label sets have the same value (or both none) for every <see cref="Equal"/> label.</summary>
    public bool AgreeOnEqual(IReadOnlyDictionary<string, string> source, IReadOnlyDictionary<string, string> target)
    {
        foreach (var name in Equal)
        {
            if (source.GetValueOrDefault(name, "") != target.GetValueOrDefault(name, ""))
            {
                return false;
            }
        }

        return true;
    }
}
