using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using SmartCity.IoT.Core.Telemetry;

namespace SmartCity.IoT.Mqtt;

/// <summary>
/// Per-source MQTT instruments on <see cref="GatewayMeter.Meter"/>, read from each client's own counters when scraped, so
/// counting a message costs one interlocked increment.
/// </summary>
internal static class MqttMetrics
{
    private static readonly ConcurrentDictionary<MqttIngestClient, byte> Clients = new();

    static MqttMetrics()
    {
        GatewayMeter.Meter.CreateObservableCounter("mqtt.messages.received", () => Each(c =>
            [
                new Measurement<long>(c.ReceivedAtMostOnce, Tag("source", c.Name), Tag("qos", "0")),
                new Measurement<long>(c.ReceivedAtLeastOnce, Tag("source", c.Name), Tag("qos", "1")),
            ]), "{message}", "Messages received per source and QoS (QoS 0: at most once, lost while the gateway is away)");
        GatewayMeter.Meter.CreateObservableCounter("mqtt.messages.retained", () => Each(c => [new Measurement<long>(c.ReceivedRetained, Tag("source", c.Name))]),
            "{message}", "Retained messages the broker replayed, per source (taken or dropped by the profile's retained policy)");
        GatewayMeter.Meter.CreateObservableGauge("mqtt.connected", () => Each(c => [new Measurement<long>(c.IsConnected ? 1 : 0, Tag("source", c.Name), Tag("protocol", c.ProtocolText))]),
            "{connection}", "1 while the source is connected, with the MQTT version in use");
        GatewayMeter.Meter.CreateObservableGauge("mqtt.at_least_once", () => Each(c => [new Measurement<long>(c.AtLeastOnce ? 1 : 0, Tag("source", c.Name))]),
            "{source}", "1 when the source subscribes at QoS 1 (at least once), 0 at QoS 0 (at most once: no redelivery after a crash)");
        GatewayMeter.Meter.CreateObservableCounter("mqtt.reconnects", () => Each(c => [new Measurement<long>(c.Reconnects, Tag("source", c.Name))]),
            "{reconnect}", "Reconnects per source");
    }

    public static void Register(MqttIngestClient client) => Clients.TryAdd(client, 0);

    public static void Unregister(MqttIngestClient client) => Clients.TryRemove(client, out _);

    private static IEnumerable<Measurement<long>> Each(Func<MqttIngestClient, Measurement<long>[]> measure) =>
        Clients.Keys.SelectMany(measure).ToArray();

    private static KeyValuePair<string, object?> Tag(string key, string value) => new(key, value);
}
