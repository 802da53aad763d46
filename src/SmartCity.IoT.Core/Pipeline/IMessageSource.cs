namespace SmartCity.IoT.Core.Pipeline;

/// <summary>
/// An input the gateway reads readings from (an MQTT broker, a message stream, an HTTP endpoint). The source delivers
/// messages one at a time to the handler and acknowledges them itself when the pipeline says their batch is durable;
/// awaiting the handler is the back-pressure. Each adapter lives in its own folder or project behind this interface.
/// </summary>
public interface IMessageSource
{
    /// <summary>A short name for logs, metrics and the status page (<c>mqtt</c>).</summary>
    string Name { get; }

    TopicSyntax Syntax { get; }

    /// <summary>Connects, subscribes to <paramref name="subscription"/> and delivers messages until cancelled.</summary>
    Task RunAsync(SourceSubscription subscription, IMessageHandler handler, CancellationToken cancellationToken);

    /// <summary>
    /// Acknowledges messages whose readings are durable, in the order they arrived. Never throws for a lost connection:
    /// a source that cannot acknowledge any more leaves the message to be redelivered.
    /// </summary>
    ValueTask AcknowledgeAsync(ReadOnlyMemory<DeliveryToken> tokens, CancellationToken cancellationToken);

    /// <summary>Current state for health checks and the status page.</summary>
    SourceHealth Health { get; }

    /// <summary>
    /// Whether a sender waits for each acknowledgement (an HTTP request held open until its uplink is durable): then a
    /// batch holding one of its messages is written at the pipeline's next tick, not after the flush interval.
    /// </summary>
    bool AwaitsAcknowledgement => false;
}
