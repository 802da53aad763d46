using System.Text;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using SmartCity.IoT.Alerts.Formats;
using SmartCity.IoT.Alerts.Outbox;
using SmartCity.IoT.Core.Alerting;

namespace SmartCity.IoT.Alerts.Stream;

/// <summary>
/// The alert outbox in NATS mode: a commit publishes each transition to the replicated alert stream and returns once
/// the stream has acknowledged every one (stored on its replicas). Each carries its deterministic id as
/// <c>Nats-Msg-Id</c>, so the same transition committed again (a partition's new owner replaying what the old one had
/// committed, a retried commit) is dropped by the stream's duplicate window.
/// </summary>
internal sealed class StreamAlertOutbox : IAlertOutbox
{
    private readonly AlertStream _stream;
    private readonly ILogger<StreamAlertOutbox> _logger;
    private long _duplicates;

    public StreamAlertOutbox(AlertStream stream, ILogger<StreamAlertOutbox> logger)
    {
        _stream = stream;
        _logger = logger;
    }

    /// <summary>Transitions the stream dropped as already committed (since start).</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    public void Commit(IReadOnlyList<Alert> alerts) => CommitAsync(alerts, CancellationToken.None).AsTask().GetAwaiter().GetResult();

    public async ValueTask CommitAsync(IReadOnlyList<Alert> alerts, CancellationToken cancellationToken)
    {
        if (alerts.Count == 0)
        {
            return;
        }

        try
        {
            foreach (var alert in alerts)
            {
                var id = AlertSubjects.TransitionId(alert);
                if (!await _stream.PublishAsync(_stream.Subjects.Transition, Encoding.UTF8.GetBytes(AlertJson.Serialize(alert)), id, null, cancellationToken).ConfigureAwait(false))
                {
                    Interlocked.Increment(ref _duplicates);
                }
            }
        }
        catch (Exception ex) when (ex is NatsException or TimeoutException)
        {
            AlertMetrics.CountPublished(alerts, stored: false);
            Log.PublishFailed(_logger, alerts.Count, alerts[0].Fingerprint, alerts[0].RuleName, NotificationFormatter.StatusName(alerts[0].Status), ex);
            throw new IOException($"the alert stream did not acknowledge {alerts.Count} transition(s): {ex.Message}", ex);
        }

        AlertMetrics.CountPublished(alerts, stored: true);
    }
}
