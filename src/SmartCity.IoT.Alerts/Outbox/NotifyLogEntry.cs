namespace SmartCity.IoT.Alerts.Outbox;

/// <summary>What was last enqueued for one (endpoint, group): Alertmanager's notification log, kept durable so restarts neither repeat nor forget.</summary>
internal sealed record NotifyLogEntry(IReadOnlySet<string> Firing, IReadOnlySet<string> Resolved, DateTimeOffset SentAt);
