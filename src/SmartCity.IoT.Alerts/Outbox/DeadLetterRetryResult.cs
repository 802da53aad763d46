namespace SmartCity.IoT.Alerts.Outbox;

internal enum DeadLetterRetryResult
{
    Requeued,
    NotFound,

    /// <summary>A later notification about the same alert already reached the endpoint; retrying would deliver stale state out of order.</summary>
    Superseded,
}
