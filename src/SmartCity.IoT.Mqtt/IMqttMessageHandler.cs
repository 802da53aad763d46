using MQTTnet;

namespace SmartCity.IoT.Mqtt;

/// <summary>
/// Receives each message, in broker order, on the client's single dispatch loop. The handler keeps
/// <paramref name="message"/> to acknowledge it later through <see cref="MqttIngestClient.AcknowledgeAsync"/>,
/// once its reading is durable; awaiting inside the handler applies back-pressure to the broker.
/// </summary>
public interface IMqttMessageHandler
{
    ValueTask OnMessageAsync(MqttApplicationMessageReceivedEventArgs message, int connectionEpoch, CancellationToken cancellationToken);
}
