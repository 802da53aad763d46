using Microsoft.Extensions.Logging;

namespace SmartCity.IoT.Alerts;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Error, "{Count} alert transition(s), the first {Fingerprint} ({Rule}, {Status}), could not be stored in the alert outbox and will not be sent")]
    public static partial void PublishFailed(ILogger logger, int count, string fingerprint, string rule, string status, Exception exception);

    [LoggerMessage(2, LogLevel.Error, "Alert outbox inbox row {Id} is unreadable and was dropped: {Error}")]
    public static partial void InboxRowUnreadable(ILogger logger, long id, string error);

    [LoggerMessage(3, LogLevel.Debug, "Enqueued {Status} notification for endpoint {Endpoint}, group {GroupKey}, {Count} alert(s)")]
    public static partial void GroupEnqueued(ILogger logger, string endpoint, string groupKey, string status, int count);

    [LoggerMessage(4, LogLevel.Warning, "Silence {Id} has an invalid matcher and is ignored: {Error}")]
    public static partial void SilenceInvalid(ILogger logger, string id, string error);

    [LoggerMessage(5, LogLevel.Information, "Webhook {WebhookId} delivered to {Endpoint}: HTTP {StatusCode} after {Attempts} attempt(s)")]
    public static partial void Delivered(ILogger logger, string webhookId, string endpoint, int statusCode, int attempts);

    [LoggerMessage(6, LogLevel.Warning, "Webhook {WebhookId} to {Endpoint} failed (attempt {Attempt}): {Error}; next attempt at {NextAttemptAt:O}")]
    public static partial void AttemptFailed(ILogger logger, string webhookId, string endpoint, int attempt, string error, DateTimeOffset nextAttemptAt);

    [LoggerMessage(7, LogLevel.Error, "Webhook {WebhookId} to {Endpoint} moved to the dead letters after {Attempts} attempt(s): {Reason}. Retry with 'alerts dead-letter retry {Id}'")]
    public static partial void DeadLettered(ILogger logger, string webhookId, string endpoint, int attempts, string reason, long id);

    [LoggerMessage(8, LogLevel.Critical, "WEBHOOK ENDPOINT DISABLED: {Endpoint} ({Url}) answered 410 Gone. Nothing more is sent to it; {Moved} pending notification(s) moved to the dead letters. Fix the URL in configuration (a changed URL re-enables it) or POST /api/webhooks/{Endpoint}/enable")]
    public static partial void EndpointGone(ILogger logger, string endpoint, string url, int moved);

    [LoggerMessage(9, LogLevel.Warning, "Circuit breaker for endpoint {Endpoint} is open; its notifications wait until {Until:O}")]
    public static partial void CircuitOpen(ILogger logger, string endpoint, DateTimeOffset until);

    [LoggerMessage(10, LogLevel.Warning, "{Count} notification(s) are for endpoint {Endpoint}, which is no longer configured: moved to the dead letters")]
    public static partial void OrphanedNotifications(ILogger logger, string endpoint, int count);

    [LoggerMessage(11, LogLevel.Error, "Alert {Loop} loop failed; restarting in {Delay}")]
    public static partial void LoopFailed(ILogger logger, string loop, TimeSpan delay, Exception exception);
}
