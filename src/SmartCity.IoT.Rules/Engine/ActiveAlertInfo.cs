using SmartCity.IoT.Core.Alerting;

namespace SmartCity.IoT.Rules.Engine;

/// <summary>A pending or firing (rule, device), for the status page.</summary>
public sealed record ActiveAlertInfo(
    string Fingerprint,
    string RuleName,
    string ProfileId,
    string Family,
    string DeviceId,
    AlertSeverity Severity,
    RulePhase State,
    DateTimeOffset Since,
    double Value,
    bool Flapping,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Annotations)
{
    /// <summary><see cref="Value"/> in its field's own terms (an enum's value name, true/false), or null for a number.</summary>
    public string? ValueText { get; init; }
}
