using Microsoft.Extensions.Logging;
using SmartCity.IoT.Core.Pipeline;
using SmartCity.IoT.Core.Resilience;

namespace SmartCity.IoT.Gateway.Pipeline;

/// <summary>
/// Write and acknowledge: takes each sealed batch in order, makes it durable in every sink, waits until its alert
/// transitions are in the outbox (committed beside the sink writes by the <see cref="AlertCommitter"/>), makes the dead
/// letters of its messages durable, then has each source acknowledge its messages. A sink that throws has made nothing durable:
/// the batch is retried (with backoff) and never acknowledged before it succeeds. Completion is per batch, so a flush
/// waits for exactly the batches sealed before it.
/// </summary>
internal sealed class BatchWriter
{
    private static readonly Backoff Retry = new(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10));

    private readonly BatchAssembler _batches;
    private readonly ITelemetrySink[] _sinks;
    private readonly DeadLetterPolicy _deadLetters;
    private readonly PipelineStats _stats;
    private readonly ILogger<BatchWriter> _logger;
    private readonly TimeProvider _time;
    private readonly WriteProgress _progress;
    private readonly Lock _waitersGate = new();
    private readonly List<(long Sequence, TaskCompletionSource Done)> _waiters = [];
    private long _completed;

    public BatchWriter(BatchAssembler batches, IEnumerable<ITelemetrySink> sinks, DeadLetterPolicy deadLetters, PipelineStats stats, WriteProgress progress, ILogger<BatchWriter> logger, TimeProvider time)
    {
        _progress = progress;
        _batches = batches;
        _sinks = sinks.ToArray();
        _deadLetters = deadLetters;
        _stats = stats;
        _logger = logger;
        _time = time;
        if (_sinks.Length == 0)
        {
            throw new InvalidOperationException("no telemetry sink is registered: readings would have nowhere to go");
        }
    }

    /// <summary>Runs until the assembler completes and every sealed batch is written.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await foreach (var batch in _batches.Sealed.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            var started = _time.GetTimestamp();
            if (batch.Lines > 0)
            {
                _progress.Started();
                await WriteDurablyAsync(batch, cancellationToken).ConfigureAwait(false);
                _progress.Finished();
            }

            if (batch.AlertsCommitted is { } committed)
            {
                await committed.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            // Records of this batch's rejected messages were written before it was sealed; one fsync covers them all.
            _deadLetters.Flush();
            await AcknowledgeAsync(batch.Tokens, cancellationToken).ConfigureAwait(false);
            _stats.BatchStored(batch.TokenCount, _time.GetElapsedTime(started));
            var sequence = batch.Sequence;
            _batches.Recycle(batch);
            Complete(sequence);
        }
    }

    /// <summary>Completes once every batch up to <paramref name="sequence"/> is durable and acknowledged.</summary>
    public Task WaitForAsync(long sequence, CancellationToken cancellationToken)
    {
        lock (_waitersGate)
        {
            if (_completed >= sequence)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((sequence, done));
            return done.Task.WaitAsync(cancellationToken);
        }
    }

    private void Complete(long sequence)
    {
        lock (_waitersGate)
        {
            _completed = sequence;
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Sequence <= sequence)
                {
                    _waiters[i].Done.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    private async ValueTask WriteDurablyAsync(Batch batch, CancellationToken cancellationToken)
    {
        if (_sinks.Length == 1)
        {
            await WriteWithRetryAsync(_sinks[0], batch, cancellationToken).ConfigureAwait(false);
            return;
        }

        // Every sink at once: one slow sink does not hold the others, and the batch is durable when all of them have it.
        var writes = new Task[_sinks.Length];
        for (var i = 0; i < _sinks.Length; i++)
        {
            writes[i] = WriteWithRetryAsync(_sinks[i], batch, cancellationToken).AsTask();
        }

        await Task.WhenAll(writes).ConfigureAwait(false);
    }

    private async ValueTask WriteWithRetryAsync(ITelemetrySink sink, Batch batch, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await sink.WriteAsync(batch.Buffer.WrittenMemory, batch.Lines, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                var delay = Retry.Delay(attempt);
                _stats.SinkFailed();
                Log.SinkFailed(_logger, sink.Name, batch.Lines, delay, ex);
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Hands each source its own tokens, in runs, in arrival order.</summary>
    private static async ValueTask AcknowledgeAsync(ReadOnlyMemory<DeliveryToken> tokens, CancellationToken cancellationToken)
    {
        var start = 0;
        while (start < tokens.Length)
        {
            var source = tokens.Span[start].Source;
            var end = start + 1;
            while (end < tokens.Length && ReferenceEquals(tokens.Span[end].Source, source))
            {
                end++;
            }

            await source.AcknowledgeAsync(tokens[start..end], cancellationToken).ConfigureAwait(false);
            start = end;
        }
    }
}
