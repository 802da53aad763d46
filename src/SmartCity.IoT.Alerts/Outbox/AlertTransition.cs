namespace SmartCity.IoT.Alerts.Outbox;

/// <summary>One stored transition of an alert (firing, escalated, de-escalated, resolved) with the value that caused it.</summary>
internal sealed record AlertTransition(string Status, string Severity, double? Value, string? ValueText, DateTimeOffset At);
