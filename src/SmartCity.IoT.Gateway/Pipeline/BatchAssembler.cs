using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Core.LineProtocol;
using SmartCity.IoT.Core.Pipeline;

namespace SmartCity.IoT.Gateway.Pipeline;

/// <summary>
/// Batch and seal: holds the open batch, seals it by size, age or idleness into a small bounded queue for the
/// <see cref="BatchWriter"/>, and takes written batches back for reuse. Sealing waits while the queue is full, which is
/// the back-pressure that stops reading from the sources. Also the rule engine's alert sink: a transition is recorded in
/// the <c>alerts</c> measurement and travels with the open batch; at seal the batch's transitions also go to the
/// <see cref="AlertCommitter"/>. Called only under the pipeline's gate.
/// </summary>
internal sealed class BatchAssembler : IAlertSink
{
    private readonly PipelineOptions _options;
    private readonly PipelineStats _stats;
    private readonly AlertCommitter _alerts;
    private readonly ILogger<BatchAssembler> _logger;
    private readonly TimeProvider _time;
    private readonly Channel<Batch> _sealed;
    private readonly ConcurrentBag<Batch> _free = [];
    private readonly Queue<Batch> _held = new();
    private readonly WriteProgress _progress;
    private readonly TimeSpan _holdCheck;
    private int _heldMessages;
    private bool _holdLogged;
    private Batch _current;
    private long _lastMessageTicks;
    private long _sequence;
    private readonly int _initialBytes;
    private readonly int _spares;

    public BatchAssembler(IOptions<PipelineOptions> options, PipelineStats stats, AlertCommitter alerts, WriteProgress progress, ILogger<BatchAssembler> logger, TimeProvider time)
    {
        _progress = progress;
        _holdCheck = TimeSpan.FromTicks(Math.Clamp(options.Value.HoldAfter.Ticks / 2, TimeSpan.TicksPerMillisecond * 10, TimeSpan.TicksPerMillisecond * 500));
        _options = options.Value;
        _stats = stats;
        _alerts = alerts;
        _logger = logger;
        _time = time;
        // Room for the typical batch (about 160 bytes of line protocol a reading) within MaxBatchBytes; and as many
        // spare batches as can be in use at once (queued, in the sinks, the open one).
        _initialBytes = (int)Math.Clamp(_options.BatchSize * 160L, 4096, _options.MaxBatchBytes);
        _spares = _options.MaxPendingBatches + _options.MaxWritesInFlight + 1;
        _sealed = Channel.CreateBounded<Batch>(new BoundedChannelOptions(_options.MaxPendingBatches) { SingleReader = true, SingleWriter = true });
        _current = NewBatch();
    }

    /// <summary>The open batch, for the message processor to append to.</summary>
    public Batch Current => _current;

    /// <summary>Sealed batches, oldest first, for the writer.</summary>
    public ChannelReader<Batch> Sealed => _sealed.Reader;

    /// <summary>The sequence number of the last sealed batch (0 before the first).</summary>
    public long LastSealed => _sequence;

    /// <summary>
    /// Sealed batches kept here because the sinks take nothing (see <see cref="PipelineOptions.MaxHeldMessages"/>): rules
    /// go on evaluating and alerts go out, but nothing is acknowledged and the devices' silence means nothing.
    /// </summary>
    public bool Holding => _held.Count > 0;

    /// <summary>Messages in <see cref="Holding"/> batches.</summary>
    public int HeldMessages => _heldMessages;

    /// <summary>
    /// Moves held batches to the writer, oldest first, as far as it has room; with <paramref name="all"/> it waits for
    /// room until none is left (a flush).
    /// </summary>
    public async ValueTask ReleaseHeldAsync(bool all, CancellationToken cancellationToken)
    {
        while (_held.TryPeek(out var batch))
        {
            if (_sealed.Writer.TryWrite(batch))
            {
                _held.Dequeue();
                _heldMessages -= batch.TokenCount;
                if (_held.Count == 0 && _holdLogged)
                {
                    // One hold is one episode in the log, however often the sinks take a batch in the middle of it.
                    _holdLogged = false;
                    Log.HoldEnded(_logger);
                }

                continue;
            }

            if (!all && !MustWait())
            {
                return;
            }

            // Room in the queue, or another look at whether the sinks have stalled meanwhile.
            var room = _sealed.Writer.WaitToWriteAsync(cancellationToken).AsTask();
            using (var recheck = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                var look = Task.Delay(_holdCheck, _time, recheck.Token);
                if (await Task.WhenAny(room, look).ConfigureAwait(false) == look)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    continue;
                }

                await recheck.CancelAsync().ConfigureAwait(false);
            }

            if (!await room.ConfigureAwait(false))
            {
                return; // completed: what is held stays unacknowledged for the next start
            }
        }
    }

    /// <summary>Marks the arrival of a message: opens the batch's clock and resets the idle clock.</summary>
    public void MessageArrived()
    {
        var now = _time.GetTimestamp();
        _lastMessageTicks = now;
        if (_current.OpenedAtTicks == 0)
        {
            _current.OpenedAtTicks = now;
        }
    }

    /// <summary>
    /// Queues the acknowledgement of a processed message (<paramref name="bytes"/> already counted in
    /// <see cref="UnacknowledgedBytes"/>) and seals the batch once it is full, by lines, messages or bytes.
    /// </summary>
    public ValueTask AddAsync(in DeliveryToken token, int bytes, CancellationToken cancellationToken)
    {
        _current.AddToken(token, bytes);
        if (!_current.Awaited && token.Source.AwaitsAcknowledgement)
        {
            _current.Awaited = true;
        }

        return _current.Lines >= _options.BatchSize || _current.TokenCount >= _options.BatchSize || _current.Buffer.WrittenCount >= _options.MaxBatchBytes
            ? SealAsync(cancellationToken)
            : ValueTask.CompletedTask;
    }

    /// <summary>Seals the open batch when it is old enough, or idle with acknowledgements waiting.</summary>
    public ValueTask SealIfDueAsync(CancellationToken cancellationToken)
    {
        if (_current.IsEmpty)
        {
            return ValueTask.CompletedTask;
        }

        var now = _time.GetTimestamp();
        var age = _time.GetElapsedTime(_current.OpenedAtTicks, now);
        var idle = _time.GetElapsedTime(_lastMessageTicks, now);
        // A batch with alert transitions seals at the next tick (every 25 ms): its transitions are committed at seal, and
        // alerts must not wait for a busy stream's FlushInterval. A storm of transitions still shares a few batches. The
        // same for a batch an HTTP sender waits on: its answer must come well within the sender's timeout.
        var due = age >= _options.FlushInterval
            || (idle >= _options.IdleFlush && _current.TokenCount > 0)
            || (_current.TokenCount == 0 && age >= _options.IdleFlush)
            || _current.Alerts.Count > 0
            || _current.Awaited;
        return due ? SealAsync(cancellationToken) : ValueTask.CompletedTask;
    }

    /// <summary>Seals the open batch if it holds anything; returns the sequence number that completes everything sealed so far.</summary>
    public async ValueTask<long> SealAnyAsync(CancellationToken cancellationToken)
    {
        if (!_current.IsEmpty)
        {
            await SealAsync(cancellationToken).ConfigureAwait(false);
        }

        return _sequence;
    }

    /// <summary>
    /// Takes a written batch back for reuse, unless its buffer grew past <see cref="PipelineOptions.MaxBatchBytes"/> (one
    /// message's many lines, say) or enough batches are spare already: those go to the garbage collector, so what a burst
    /// made the pipeline allocate does not stay.
    /// </summary>
    public void Recycle(Batch batch)
    {
        batch.Reset();
        if (batch.Buffer.Capacity <= _initialBytes * 2 && _free.Count < _spares)
        {
            _free.Add(batch);
        }
    }

    /// <summary>No more batches: the writer and the alert committer end once they have drained their queues.</summary>
    public void Complete()
    {
        _sealed.Writer.TryComplete();
        _alerts.Complete();
    }

    public void OnTransition(Alert alert)
    {
        _stats.AlertTransition(alert.Status);
        Log.AlertTransition(_logger, alert.Status, alert.Severity, alert.RuleName, alert.DeviceId, alert.Annotations.TryGetValue("summary", out var s) ? s : "");
        LineProtocolWriter.WriteAlert(_current.Buffer, alert);
        _current.Lines++;
        _current.Alerts.Add(alert);
        if (_current.OpenedAtTicks == 0)
        {
            _current.OpenedAtTicks = _time.GetTimestamp();
        }
    }

    private async ValueTask SealAsync(CancellationToken cancellationToken)
    {
        var full = _current;
        full.Sequence = ++_sequence;
        _current = _free.TryTake(out var reused) ? reused : NewBatch();
        if (full.Alerts.Count > 0)
        {
            _alerts.Enqueue(full);
        }

        _held.Enqueue(full);
        _heldMessages += full.TokenCount;
        // Waits while the writer is behind (the caller holds the gate, so no new message is read), unless the sinks take
        // nothing at all: then up to MaxHeldMessages more are read and evaluated, so alerts do not stop with the store.
        await ReleaseHeldAsync(all: false, cancellationToken).ConfigureAwait(false);
    }

    private bool MustWait()
    {
        if (_options.MaxHeldMessages == 0 || _heldMessages > _options.MaxHeldMessages || !_progress.StalledFor(_options.HoldAfter))
        {
            return true;
        }

        if (!_holdLogged)
        {
            _holdLogged = true;
            Log.HoldingReadings(_logger, _options.HoldAfter, _options.MaxHeldMessages);
        }

        return false;
    }

    private Batch NewBatch() => new(_initialBytes, Math.Max(16, Math.Min(_options.BatchSize, 65_536)));
}
