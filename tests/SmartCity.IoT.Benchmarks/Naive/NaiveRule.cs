using SmartCity.IoT.Core.Alerting;

namespace SmartCity.IoT.Benchmarks.Naive;

/// <summary>A rule as ordinary code: family/tag globs, levels as lambdas (null = unknown), clear, for, value.</summary>
internal sealed record NaiveRule(
    string Name,
    string[] Families,
    (string Tag, string[] Patterns)[] Tags,
    string[] Fields,
    (AlertSeverity Severity, Func<NaiveContext, bool?> Condition)[] Levels,
    Func<NaiveContext, bool?>? Clear,
    TimeSpan For,
    Func<NaiveContext, double?> Value);
