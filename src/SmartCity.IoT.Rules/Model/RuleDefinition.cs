using SmartCity.IoT.Core.Alerting;

namespace SmartCity.IoT.Rules.Model;

/// <summary>A rule as written in config/rules (already validated): what the status page and tools show.</summary>
public sealed record RuleDefinition
{
    public required string Name { get; init; }

    public RuleKind Kind { get; init; } = RuleKind.Threshold;

    public string Description { get; init; } = "";

    /// <summary>Source file and line of the rule's first key.</summary>
    public string File { get; init; } = "";

    public int Line { get; init; }

    public RuleMatch Match { get; init; } = RuleMatch.All;

    /// <summary>Thresholds, most severe first; the first is the one written as <c>expr</c>/<c>severity</c> when there is no escalation.</summary>
    public IReadOnlyList<SeverityLevel> Levels { get; init; } = [];

    public string? Clear { get; init; }

    public string? Value { get; init; }

    public TimeSpan For { get; init; }

    public TimeSpan KeepFiringFor { get; init; }

    /// <summary>Staleness rules: how long without any message.</summary>
    public TimeSpan After { get; init; }

    public AlertSeverity Severity { get; init; } = AlertSeverity.Warning;

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>();

    /// <summary>Null: the engine's default policy.</summary>
    public FlappingPolicy? Flapping { get; init; }

    /// <summary>Rules over places: the level aggregated (<c>zone</c>, <c>floor</c>, <c>building</c>, a Brick class), else null (a per-device rule).</summary>
    public string? Over { get; init; }

    /// <summary>Rules over places: how long a device may be silent for a field before it is left out of the aggregate.</summary>
    public TimeSpan StaleAfter { get; init; }

    /// <summary><c>occupied</c> or a cron window when the rule applies (<c>during</c>), else null.</summary>
    public string? During { get; init; }

    /// <summary><c>occupied</c> or a cron window when the rule does not apply (<c>outside</c>), else null.</summary>
    public string? Outside { get; init; }

    /// <summary>The time zone of a cron window (IANA name); null means UTC.</summary>
    public string? TimeZone { get; init; }

    /// <summary>Place attributes the rule's expressions name (<c>place.capacity</c>).</summary>
    public IReadOnlyList<string> PlaceAttributes { get; init; } = [];

    /// <summary>Hash of the rule's content (not its position): reload keeps the state of rules whose hash did not change.</summary>
    public string DefinitionHash { get; init; } = "";
}
