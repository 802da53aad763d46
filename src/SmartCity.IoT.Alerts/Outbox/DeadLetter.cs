namespace SmartCity.IoT.Alerts.Outbox;

/// <summary>A notification that exhausted its retry schedule, got a non-retryable 4xx, or whose endpoint was disabled.</summary>
internal sealed record DeadLetter(
    long Id,
    string WebhookId,
    string Endpoint,
    string GroupKey,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset DeadAt,
    int Attempts,
    string Reason,
    IReadOnlyList<string> Fingerprints,
    int BodyBytes);
