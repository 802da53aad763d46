using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SmartCity.IoT.Core.Pipeline;
using SmartCity.IoT.Core.Resilience;

namespace SmartCity.IoT.Gateway.Pipeline;

/// <summary>
/// Write and acknowledge: takes each sealed batch in order, makes it durable in every sink (several batches at once), waits until its alert
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
    private readonly int _maxInFlight;
    private readonly UnacknowledgedBytes _unacknowledged;
    private long _completed;

    public BatchWriter(BatchAssembler batches, IEnumerable<ITelemetrySink> sinks, DeadLetterPolicy deadLetters, PipelineStats stats, WriteProgress progress, UnacknowledgedBytes unacknowledged, IOptions<PipelineOptions> options, ILogger<BatchWriter> logger, TimeProvider time)
    {
        _unacknowledged = unacknowledged;
        _maxInFlight = options.Value.MaxWritesInFlight;
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

    /// <summary>
    /// Runs until the assembler completes and every sealed batch is written: up to
    /// <see cref="PipelineOptions.MaxWritesInFlight"/> batches are in the sinks at once, so a sink's latency does not
    /// leave the box idle, while acknowledgements are released strictly in the order the batches were sealed.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var inFlight = Channel.CreateUnbounded<InFlight>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using var slots = new SemaphoreSlim(_maxInFlight, _maxInFlight);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var acknowledging = AcknowledgeInOrderAsync(inFlight.Reader, slots, stop);
        try
        {
            var sealedBatches = _batches.Sealed;
            while (true)
            {
                // A slot is taken before a batch leaves the queue (back-pressure stays where it was) and given back when
                // the batch is acknowledged, not when its write ends: the batches held in memory stay bounded.
                await slots.WaitAsync(stop.Token).ConfigureAwait(false);
                if (!await sealedBatches.WaitToReadAsync(stop.Token).ConfigureAwait(false))
                {
                    break;
                }

                var batch = await sealedBatches.ReadAsync(stop.Token).ConfigureAwait(false);
                inFlight.Writer.TryWrite(new InFlight(batch, WriteAsync(batch, stop.Token), _time.GetTimestamp()));
            }
        }
        finally
        {
            inFlight.Writer.TryComplete();
        }

        await acknowledging.ConfigureAwait(false);
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

    /// <summary>Oldest first: waits for the batch's write, its alerts in the outbox and its dead letters on disk, then acknowledges it.</summary>
    private async Task AcknowledgeInOrderAsync(ChannelReader<InFlight> inFlight, SemaphoreSlim slots, CancellationTokenSource stop)
    {
        try
        {
            await foreach (var (batch, write, started) in inFlight.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                await write.ConfigureAwait(false);
                if (batch.AlertsCommitted is { } committed)
                {
                    await committed.Task.WaitAsync(stop.Token).ConfigureAwait(false);
                }

                // Records of this batch's rejected messages were written before it was sealed; one fsync covers them all.
                _deadLetters.Flush();
                await AcknowledgeAsync(batch.Tokens, stop.Token).ConfigureAwait(false);
                _stats.BatchStored(batch.TokenCount, _time.GetElapsedTime(started));
                var sequence = batch.Sequence;
                _unacknowledged.Release(batch.MessageBytes);
                _batches.Recycle(batch);
                slots.Release();
                Complete(sequence);
            }
        }
        catch
        {
            // The reading loop must not wait for a slot this loop will never give back.
            await stop.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task WriteAsync(Batch batch, CancellationToken cancellationToken)
    {
        if (batch.Lines == 0)
        {
            return;
        }

        _progress.Started();
        try
        {
            await WriteDurablyAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _progress.Finished();
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

    private readonly record struct InFlight(Batch Batch, Task Write, long Started);

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
