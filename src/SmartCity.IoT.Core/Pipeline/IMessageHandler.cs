namespace SmartCity.IoT.Core.Pipeline;

/// <summary>Receives each message of a source, in order. The source waits for the returned task before the next message.</summary>
public interface IMessageHandler
{
    ValueTask OnMessageAsync(InboundMessage message, CancellationToken cancellationToken);
}
