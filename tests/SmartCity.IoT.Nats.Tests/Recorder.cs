using System.Collections.Concurrent;
using System.Text;
using SmartCity.IoT.Core.Pipeline;

namespace SmartCity.IoT.Nats.Tests;

/// <summary>
/// A handler that records what a source hands it and acknowledges each message through <see cref="Source"/>, or, with
/// <c>ack: false</c>, keeps the tokens for the test to acknowledge (or never).
/// </summary>
internal sealed class Recorder(IMessageSource? source, bool ack) : IMessageHandler
{
    private readonly ConcurrentQueue<Delivery> _messages = new();
    private readonly ConcurrentQueue<DeliveryToken> _tokens = new();

    /// <summary>The source to acknowledge through; a test that restarts its source sets the new one here.</summary>
    public IMessageSource? Source { get; set; } = source;

    public IEnumerable<Delivery> Messages => _messages;

    public IEnumerable<string> Topics => _messages.Select(m => m.Topic);

    public IEnumerable<DeliveryToken> Tokens => _tokens;

    public int Count => _messages.Count;

    public async ValueTask OnMessageAsync(InboundMessage message, CancellationToken cancellationToken)
    {
        _messages.Enqueue(new Delivery(message.Topic, Encoding.UTF8.GetString(message.Payload), message.Redelivered, message.ReceivedUnixNs));
        if (ack)
        {
            await Source!.AcknowledgeAsync(new[] { message.Token }, cancellationToken);
        }
        else
        {
            _tokens.Enqueue(message.Token);
        }
    }

    internal sealed record Delivery(string Topic, string Payload, bool Redelivered, long ReceivedUnixNs);
}
