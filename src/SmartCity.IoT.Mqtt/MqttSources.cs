namespace SmartCity.IoT.Mqtt;

/// <summary>Every configured MQTT connection, each its own source (<c>Mqtt:Sources</c>, or the <c>Mqtt</c> section alone).</summary>
public sealed class MqttSources(IReadOnlyList<MqttIngestClient> clients)
{
    public IReadOnlyList<MqttIngestClient> Clients { get; } = clients;

    /// <summary>The first source: the only one when the <c>Mqtt</c> section configures a single connection.</summary>
    public MqttIngestClient Default => Clients[0];

    public IReadOnlyList<string> Names => Clients.Select(c => c.Name).ToArray();
}
