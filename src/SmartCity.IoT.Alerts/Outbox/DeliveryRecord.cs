namespace SmartCity.IoT.Alerts.Outbox;

/// <summary>
/// One event in a notification's life: <c>queued</c>, <c>delivered</c>, <c>failed</c> (retry scheduled), <c>dead-lettered</c> or
/// <c>requeued</c> (retried from the dead letters), with the attempt number and the receiver's answer or the error.
/// </summary>
internal sealed record DeliveryRecord(long NotificationId, string Endpoint, string WebhookId, string Status, IReadOnlyList<string> Fingerprints, string Outcome, int Attempt, string? Detail, DateTimeOffset At)
{
    public const string Queued = "queued";
    public const string Delivered = "delivered";
    public const string Failed = "failed";
    public const string DeadLettered = "dead-lettered";
    public const string Requeued = "requeued";
}
