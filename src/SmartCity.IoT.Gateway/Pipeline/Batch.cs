using System.Buffers;
using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Core.Pipeline;

namespace SmartCity.IoT.Gateway.Pipeline;

/// <summary>Line protocol for a run of messages plus the acknowledgements owed once it is durable. Reused: no allocation in steady state.</summary>
internal sealed class Batch
{
    private DeliveryToken[] _tokens;

    public Batch(int initialBytes, int initialMessages)
    {
        Buffer = new ArrayBufferWriter<byte>(initialBytes);
        _tokens = new DeliveryToken[initialMessages];
    }

    public ArrayBufferWriter<byte> Buffer { get; }

    /// <summary>Messages whose acknowledgement waits for this batch, in arrival order.</summary>
    public ReadOnlyMemory<DeliveryToken> Tokens => _tokens.AsMemory(0, TokenCount);

    public int TokenCount { get; private set; }

    /// <summary>Alert transitions raised while this batch was open; committed to the outbox once the batch is durable.</summary>
    public List<Alert> Alerts { get; } = [];

    public int Lines { get; set; }

    /// <summary>What this batch's messages count against <see cref="PipelineOptions.MaxUnacknowledgedBytes"/>.</summary>
    public long MessageBytes { get; set; }

    public long OpenedAtTicks { get; set; }

    /// <summary>A sender waits for one of its messages (<see cref="IMessageSource.AwaitsAcknowledgement"/>): seal at the next tick.</summary>
    public bool Awaited { get; set; }

    /// <summary>Completes once <see cref="Alerts"/> are in the outbox (set when a batch with alerts is sealed).</summary>
    public TaskCompletionSource? AlertsCommitted { get; set; }

    /// <summary>Set when sealed: batches complete in this order.</summary>
    public long Sequence { get; set; }

    public bool IsEmpty => Lines == 0 && TokenCount == 0 && Alerts.Count == 0;

    public void AddToken(in DeliveryToken token, int bytes)
    {
        MessageBytes += bytes;
        if (TokenCount == _tokens.Length)
        {
            Array.Resize(ref _tokens, _tokens.Length * 2);
        }

        _tokens[TokenCount++] = token;
    }

    public void Reset()
    {
        Buffer.ResetWrittenCount();
        Array.Clear(_tokens, 0, TokenCount);
        TokenCount = 0;
        Alerts.Clear();
        Lines = 0;
        MessageBytes = 0;
        OpenedAtTicks = 0;
        Awaited = false;
        Sequence = 0;
        AlertsCommitted = null;
    }
}
