using System.Buffers;
using System.Text;
using SmartCity.IoT.Core.Pipeline;

namespace SmartCity.IoT.Testing;

/// <summary>
/// A second source, only in tests: messages are pushed in by the test, and every acknowledgement is recorded together
/// with what <see cref="AtAcknowledge"/> reports at that moment (the sinks' state, say).
/// </summary>
internal sealed class QueueSource(string name = "queue", TopicSyntax? syntax = null) : IMessageSource
{
    private readonly Lock _gate = new();
    private readonly List<(long Sequence, long Observed)> _acks = [];
    private readonly TaskCompletionSource<IMessageHandler> _running = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _next;

    public string Name { get; } = name;

    public TopicSyntax Syntax { get; } = syntax ?? TopicSyntax.Mqtt;

    public SourceHealth Health => new(Name, "memory", _running.Task.IsCompleted, 0, null, Filters);

    public IReadOnlyList<string> Filters { get; private set; } = [];

    /// <summary>Plays a source whose senders wait for each acknowledgement (HTTP ingest).</summary>
    public bool AwaitsAcknowledgement { get; init; }

    /// <summary>Read at every acknowledgement and kept with it.</summary>
    public Func<long>? AtAcknowledge { get; set; }

    /// <summary>The handler the host gave <see cref="RunAsync"/>: proof the source was started.</summary>
    public Task<IMessageHandler> Running => _running.Task;

    public IReadOnlyList<(long Sequence, long Observed)> Acks
    {
        get
        {
            lock (_gate)
            {
                return _acks.ToArray();
            }
        }
    }

    public async Task RunAsync(SourceSubscription subscription, IMessageHandler handler, CancellationToken cancellationToken)
    {
        Filters = subscription.FiltersFor(Syntax);
        _running.TrySetResult(handler);
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (cancellationToken.Register(() => stopped.TrySetResult()))
        {
            await stopped.Task.ConfigureAwait(false);
        }
    }

    public ValueTask AcknowledgeAsync(ReadOnlyMemory<DeliveryToken> tokens, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            foreach (var token in tokens.Span)
            {
                Assert.Same(this, token.Source);
                _acks.Add((token.Sequence, AtAcknowledge?.Invoke() ?? 0));
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Hands one message to <paramref name="handler"/>; returns its sequence number.</summary>
    public Task<long> SendAsync(IMessageHandler handler, string topic, string payload, long receivedUnixNs = 1_763_884_800_000_000_000, CancellationToken cancellationToken = default, bool replay = false) =>
        SendAsync(handler, topic, Encoding.UTF8.GetBytes(payload), receivedUnixNs, cancellationToken, replay);

    /// <summary>Hands one binary message to <paramref name="handler"/>; returns its sequence number.</summary>
    public async Task<long> SendAsync(IMessageHandler handler, string topic, byte[] payload, long receivedUnixNs = 1_763_884_800_000_000_000, CancellationToken cancellationToken = default, bool replay = false)
    {
        var sequence = Interlocked.Increment(ref _next);
        var message = new InboundMessage(topic, new ReadOnlySequence<byte>(payload), receivedUnixNs, new DeliveryToken(this, null, sequence)) { IsReplay = replay };
        await handler.OnMessageAsync(message, cancellationToken).ConfigureAwait(false);
        return sequence;
    }
}
