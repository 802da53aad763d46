namespace SmartCity.IoT.Alerts.Outbox;

/// <summary>A stored notification waiting for a 2xx. <see cref="WebhookId"/> is the same on every attempt.</summary>
internal sealed record OutboxNotification(
    long Id,
    string WebhookId,
    string Endpoint,
    string GroupKey,
    string Status,
    string ContentType,
    byte[] Body,
    DateTimeOffset CreatedAt,
    DateTimeOffset NextAttemptAt,
    int Attempts,
    string? LastError,
    IReadOnlyList<string> Fingerprints);
