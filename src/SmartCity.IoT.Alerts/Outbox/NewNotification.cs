namespace SmartCity.IoT.Alerts.Outbox;

/// <summary>What the router asks the outbox to store: one body for one endpoint.</summary>
internal sealed record NewNotification(
    string Endpoint,
    string GroupKey,
    string Status,
    string ContentType,
    byte[] Body,
    IReadOnlyList<string> Fingerprints,
    string? WebhookId = null);
