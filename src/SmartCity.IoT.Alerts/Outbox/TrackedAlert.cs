using SmartCity.IoT.Core.Alerting;

namespace SmartCity.IoT.Alerts.Outbox;

/// <summary>The latest transition of one alert (by fingerprint) and its acknowledgement.</summary>
internal sealed record TrackedAlert(Alert Alert, DateTimeOffset? AcknowledgedAt, string? AcknowledgedBy, string? AcknowledgeComment)
{
    public bool IsFiring => Alert.Status != AlertStatus.Resolved;

    public bool IsAcknowledged => AcknowledgedAt is not null;
}
