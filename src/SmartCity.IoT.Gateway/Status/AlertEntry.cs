using SmartCity.IoT.Alerts;
using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Rules.Engine;

namespace SmartCity.IoT.Gateway.Status;

/// <summary>
/// An alert as every page shows it: the rule engine's live state (pending, firing, flapping) joined with the outbox's
/// (acknowledged, silenced, inhibited, resolved).
/// </summary>
internal sealed record AlertEntry(
    string Fingerprint,
    string Rule,
    string ProfileId,
    string DeviceId,
    AlertSeverity Severity,
    string State,
    DateTimeOffset Since,
    string Value,
    string Summary,
    bool Flapping,
    AlertView? Outbox)
{
    /// <summary>The engine's flapping note (why it holds the alert firing), when flapping.</summary>
    public string? FlappingNote { get; init; }

    public string SeverityName => Severity.ToString().ToLowerInvariant();

    /// <summary>Active alerts (engine) first by severity, then outbox alerts the engine no longer holds (resolved, or after a restart).</summary>
    public static List<AlertEntry> Merge(IReadOnlyList<ActiveAlertInfo> active, IReadOnlyList<AlertView> outbox)
    {
        var byFingerprint = outbox.ToDictionary(a => a.Fingerprint, StringComparer.Ordinal);
        var list = active
            .OrderByDescending(a => a.Severity).ThenBy(a => a.Since)
            .Select(a => new AlertEntry(a.Fingerprint, a.RuleName, a.ProfileId, a.DeviceId, a.Severity, a.State.ToString().ToLowerInvariant(), a.Since,
                a.ValueText ?? Pages.Humanize.Number(a.Value), a.Annotations.GetValueOrDefault("summary", ""), a.Flapping, byFingerprint.GetValueOrDefault(a.Fingerprint))
            {
                FlappingNote = a.Flapping ? a.Annotations.GetValueOrDefault("flapping") : null,
            })
            .ToList();
        return list;
    }

    /// <summary>An outbox alert on its own (history, or an alert page the engine has nothing about).</summary>
    public static AlertEntry FromOutbox(AlertView a) =>
        new(a.Fingerprint, a.Rule, a.ProfileId, a.Device, Enum.TryParse<AlertSeverity>(a.Severity, true, out var s) ? s : AlertSeverity.Warning, a.Status, a.StartsAt,
            a.ValueText ?? (a.Value is { } v ? Pages.Humanize.Number(v) : "–"), a.Annotations.GetValueOrDefault("summary", ""), a.Annotations.ContainsKey("flapping") && a.Status != "resolved", a)
        {
            FlappingNote = a.Annotations.GetValueOrDefault("flapping"),
        };
}
