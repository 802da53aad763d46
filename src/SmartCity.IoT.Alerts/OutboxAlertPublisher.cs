using Microsoft.Extensions.Logging;
using SmartCity.IoT.Alerts.Formats;
using SmartCity.IoT.Alerts.Outbox;
using SmartCity.IoT.Core.Alerting;

namespace SmartCity.IoT.Alerts;

/// <summary>
/// The durable end of alert publishing: commits each batch of transitions to the outbox's inbox table in one transaction (one fsync),
/// before returning, and wakes the router. A committed row is what lets a killed gateway still notify after restart.
/// Never throws: a failure is logged and counted.
/// </summary>
internal sealed class OutboxAlertPublisher : IAlertOutbox
{
    private readonly AlertOutbox _outbox;
    private readonly ILogger<OutboxAlertPublisher> _log;

    public OutboxAlertPublisher(AlertOutbox outbox, ILogger<OutboxAlertPublisher> logger)
    {
        _outbox = outbox ?? throw new ArgumentNullException(nameof(outbox));
        _log = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>Raised after a batch is stored (the routing service listens).</summary>
    public event Action? Published;

    /// <summary>A batch of one.</summary>
    public void Publish(Alert alert)
    {
        if (alert is not null)
        {
            PublishMany([alert]);
        }
    }

    /// <summary>
    /// The pipeline's path: as <see cref="PublishMany"/>, but a failure (logged and counted there) throws, so the pipeline
    /// retries and holds the batch's acknowledgements until the transitions are stored.
    /// </summary>
    public void Commit(IReadOnlyList<Alert> alerts)
    {
        if (!TryStore(alerts))
        {
            throw new IOException($"the alert outbox could not store {alerts.Count} transition(s); see the log for why");
        }
    }

    /// <summary>Stores one batch of transitions, in order, in one transaction: all of them or (logged and counted) none.</summary>
    public void PublishMany(IReadOnlyList<Alert> alerts) => TryStore(alerts);

    private bool TryStore(IReadOnlyList<Alert> alerts)
    {
        if (alerts is null || alerts.Count == 0)
        {
            return true;
        }

        try
        {
            _outbox.AppendInbox(alerts);
        }
#pragma warning disable CA1031 // the contract: publishing never throws on the pipeline's thread
        catch (Exception ex)
#pragma warning restore CA1031
        {
            AlertMetrics.CountPublished(alerts, stored: false);
            Log.PublishFailed(_log, alerts.Count, alerts[0].Fingerprint, alerts[0].RuleName, NotificationFormatter.StatusName(alerts[0].Status), ex);
            return false;
        }

        AlertMetrics.CountPublished(alerts, stored: true);
        Published?.Invoke();
        return true;
    }
}
