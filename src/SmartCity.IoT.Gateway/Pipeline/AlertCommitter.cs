using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Core.Resilience;

namespace SmartCity.IoT.Gateway.Pipeline;

/// <summary>
/// Commit alerts: the transitions of each sealed batch go to the durable alert outbox as soon as the batch is sealed, in
/// seal order, beside (not behind) the sinks' writes, so a slow or absent InfluxDB never delays a webhook. A failed commit
/// is retried with backoff; the batch's messages are acknowledged only once its transitions are committed (the
/// <see cref="BatchWriter"/> waits for <see cref="Batch.AlertsCommitted"/>).
/// </summary>
internal sealed class AlertCommitter
{
    private static readonly Backoff Retry = new(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5));

    private readonly Channel<Batch> _queue = Channel.CreateUnbounded<Batch>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly IAlertOutbox _outbox;
    private readonly PipelineStats _stats;
    private readonly ILogger<AlertCommitter> _logger;
    private readonly TimeProvider _time;
    private Task _lastQueued = Task.CompletedTask;

    public AlertCommitter(IAlertOutbox outbox, PipelineStats stats, ILogger<AlertCommitter> logger, TimeProvider time)
    {
        _outbox = outbox;
        _stats = stats;
        _logger = logger;
        _time = time;
    }

    /// <summary>Queues a sealed batch's transitions (called under the pipeline's gate; the queue is bounded by the sealed batches).</summary>
    public void Enqueue(Batch batch)
    {
        batch.AlertsCommitted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _lastQueued = batch.AlertsCommitted.Task;
        _queue.Writer.TryWrite(batch);
    }

    /// <summary>Completes once every transition queued so far is in the outbox (commits go in order). Read under the gate.</summary>
    public Task Committed => _lastQueued;

    /// <summary>No more batches: the loop ends once it has committed what is queued.</summary>
    public void Complete() => _queue.Writer.TryComplete();

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await foreach (var batch in _queue.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await _outbox.CommitAsync(batch.Alerts, cancellationToken).ConfigureAwait(false);
                    break;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    var delay = Retry.Delay(attempt);
                    _stats.OutboxFailed();
                    Log.AlertCommitFailed(_logger, batch.Alerts.Count, delay, ex);
                    await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                }
            }

            batch.AlertsCommitted!.TrySetResult();
        }
    }
}
