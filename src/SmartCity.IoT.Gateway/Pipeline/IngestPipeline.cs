using SmartCity.IoT.Core.Pipeline;
using SmartCity.IoT.Rules.Engine;

namespace SmartCity.IoT.Gateway.Pipeline;

/// <summary>
/// The one path every message takes, from any source: <see cref="MessageProcessor"/> (decode and evaluate) into the
/// <see cref="BatchAssembler"/> (batch and seal), then the <see cref="BatchWriter"/> (write to the sinks, then have the
/// sources acknowledge). A gate serializes messages with the flush timer, rule ticks, reloads and checkpoints, so the
/// stages keep one reading and one batch without locks.
/// </summary>
internal sealed class IngestPipeline : IMessageHandler, IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly MessageProcessor _processor;
    private readonly BatchAssembler _batches;
    private readonly BatchWriter _writer;
    private readonly AlertCommitter _alerts;
    private readonly RuleEngine _engine;
    private readonly UnacknowledgedBytes _unacknowledged;

    public IngestPipeline(MessageProcessor processor, BatchAssembler batches, BatchWriter writer, AlertCommitter alerts, RuleEngine engine, UnacknowledgedBytes unacknowledged)
    {
        _unacknowledged = unacknowledged;
        _processor = processor;
        _batches = batches;
        _writer = writer;
        _alerts = alerts;
        _engine = engine;
    }

    public async ValueTask OnMessageAsync(InboundMessage message, CancellationToken cancellationToken)
    {
        // Outside the gate: the ticks that seal the open batch, and so free the budget, must not wait on this.
        var room = _unacknowledged.WaitForRoomAsync(cancellationToken);
        if (!room.IsCompletedSuccessfully)
        {
            await room.ConfigureAwait(false);
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _batches.MessageArrived();
            _processor.Process(message, message.Token.Source.Syntax);
            var bytes = UnacknowledgedBytes.SizeOf(message.Topic.Length, message.Payload.Length);
            _unacknowledged.Add(bytes);
            var sealing = _batches.AddAsync(message.Token, bytes, cancellationToken);
            if (!sealing.IsCompletedSuccessfully)
            {
                await sealing.ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Runs the rule engine's timers (when <paramref name="runRules"/>) and seals a batch that is old enough or idle.</summary>
    public async Task TickAsync(bool runRules, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _batches.ReleaseHeldAsync(all: false, cancellationToken).ConfigureAwait(false);
            // While readings are held the broker keeps the devices' newer messages: their silence here is not theirs.
            if (runRules && !_batches.Holding)
            {
                _engine.Tick();
            }

            await _batches.SealIfDueAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Replays stream messages into the rules only (a partition's takeover; see <see cref="MessageProcessor.Replay"/>),
    /// each at the time its stream stored it, with live messages held off.
    /// </summary>
    public async Task ReplayAsync(IReadOnlyList<(InboundMessage Message, long AtUnixNs)> messages, TopicSyntax syntax, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var (message, at) in messages)
            {
                _processor.Replay(message, syntax, at);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Runs <paramref name="action"/> on the engine with messages held off: reloads, checkpoints, the status page.</summary>
    public Task WithEngineAsync(Action<RuleEngine> action, CancellationToken cancellationToken) =>
        TryWithEngineAsync(action, Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>
    /// As <see cref="WithEngineAsync"/>, but gives up after <paramref name="wait"/> (false): for readers that must answer
    /// while the pipeline is held, say by a sink that takes no more.
    /// </summary>
    public async Task<bool> TryWithEngineAsync(Action<RuleEngine> action, TimeSpan wait, CancellationToken cancellationToken)
    {
        if (!await _gate.WaitAsync(wait, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        try
        {
            action(_engine);
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Runs <paramref name="snapshot"/> on the engine with messages held off, first sealing the open batch if it carries
    /// transitions. Returns a task that completes once every transition the snapshot reflects is in the alert outbox, so
    /// a checkpoint written after it never has an alert firing that receivers will not be told of.
    /// </summary>
    public async Task<Task> SnapshotEngineAsync(Action<RuleEngine> snapshot, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_batches.Current.Alerts.Count > 0)
            {
                await _batches.SealAnyAsync(cancellationToken).ConfigureAwait(false);
            }

            snapshot(_engine);
            return _alerts.Committed;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Seals whatever is open and waits until every batch sealed so far is durable and acknowledged.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        long target;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            target = await _batches.SealAnyAsync(cancellationToken).ConfigureAwait(false);
            await _batches.ReleaseHeldAsync(all: true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }

        await _writer.WaitForAsync(target, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The writer and alert-commit loops; they end after <see cref="Complete"/> once the sealed batches are written.</summary>
    public Task RunWriterAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_writer.RunAsync(cancellationToken), _alerts.RunAsync(cancellationToken));

    /// <summary>Stops accepting batches.</summary>
    public void Complete() => _batches.Complete();

    public void Dispose() => _gate.Dispose();
}
