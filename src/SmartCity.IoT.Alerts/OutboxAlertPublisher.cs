using Microsoft.Extensions.Logging;
using SmartCity.IoT.Alerts.Formats;
using SmartCity.IoT.Alerts.Outbox;
using SmartCity.IoT.Core.Alerting;

namespace SmartCity.IoT.Alerts;

/// <summary>
/// The rule engine's <see cref="IAlertPublisher"/>: writes each transition to the outbox's inbox table (one small SQLite insert,
/// committed before returning) and wakes the router. Alerts are transitions, so they are rare; a committed row is what lets a
/// killed gateway still notify after restart. Never throws: a failure is logged and counted.
/// </summary>
public sealed class OutboxAlertPublisher : IAlertPublisher, IAlertOutbox
{
    private readonly AlertOutbox _outbox;
    private readonly ILogger<OutboxAlertPublisher> _log;

    public OutboxAlertPublisher(AlertOutbox outbox, ILogger<OutboxAlertPublisher> logger)
    {
        _outbox = outbox ?? throw new ArgumentNullException(nameof(outbox));
        _log = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>Raised after an alert is stored (the routing service listens).</summary>
    public event Action? Published;

    public void Publish(Alert alert)
    {
        if (alert is null)
        {
            return;
        }

        try
        {
            _outbox.AppendInbox(alert);
            AlertMetrics.Published.Add(1, new KeyValuePair<string, object?>("outcome", "stored"));
        }
#pragma warning disable CA1031 // the contract: Publish never throws on the pipeline thread
        catch (Exception ex)
#pragma warning restore CA1031
        {
            AlertMetrics.Published.Add(1, new KeyValuePair<string, object?>("outcome", "failed"));
            Log.PublishFailed(_log, alert.Fingerprint, alert.RuleName, NotificationFormatter.StatusName(alert.Status), ex);
            return;
        }

        Published?.Invoke();
    }

    public void Commit(IReadOnlyList<Alert> alerts) => PublishMany(alerts);

    /// <summary>Stores several transitions in one transaction (the pipeline hands over one batch's alerts at a time).</summary>
    public void PublishMany(IReadOnlyList<Alert> alerts)
    {
        if (alerts is null || alerts.Count == 0)
        {
            return;
        }

        try
        {
            _outbox.AppendInbox(alerts);
            AlertMetrics.Published.Add(alerts.Count, new KeyValuePair<string, object?>("outcome", "stored"));
        }
#pragma warning disable CA1031 // the contract: publishing never throws on the pipeline's writer
        catch (Exception ex)
#pragma warning restore CA1031
        {
            AlertMetrics.Published.Add(alerts.Count, new KeyValuePair<string, object?>("outcome", "failed"));
            Log.PublishFailed(_log, alerts[0].Fingerprint, alerts[0].RuleName, NotificationFormatter.StatusName(alerts[0].Status), ex);
            return;
        }

        Published?.Invoke();
    }
}
