using System.ComponentModel.DataAnnotations;
using SmartCity.IoT.Mqtt.Transport;

namespace SmartCity.IoT.Mqtt;

/// <summary>Configuration section <c>Mqtt</c>. An empty <see cref="Host"/> starts the embedded broker (demo mode).</summary>
public sealed class MqttOptions
{
    public const string SectionName = "Mqtt";

    /// <summary>Broker host name; empty means the embedded MQTTnet broker on <see cref="EmbeddedPort"/>.</summary>
    public string Host { get; set; } = "";

    [Range(1, 65535)]
    public int Port { get; set; } = 1883;

    public bool UseTls { get; set; }

    /// <summary>Accept a broker certificate that does not validate (self-signed test brokers only).</summary>
    public bool AllowUntrustedCertificates { get; set; }

    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>Must be stable across restarts: the broker keeps the persistent session (and unacknowledged messages) under it.</summary>
    [Required]
    public string ClientId { get; set; } = "smartcity-gateway";

    /// <summary>Topic filters to subscribe to; empty means those derived from the device profiles.</summary>
    public string[] Topics { get; set; } = [];

    /// <summary>When set, subscribe as <c>$share/{SharedGroup}/{filter}</c> so several gateways split the load.</summary>
    public string? SharedGroup { get; set; }

    [Range(0, 1)]
    public int QualityOfService { get; set; } = 1;

    /// <summary>How long the broker keeps the session (and queues messages) while the gateway is away.</summary>
    public TimeSpan SessionExpiry { get; set; } = TimeSpan.FromDays(7);

    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>MQTT 5 Receive Maximum: unacknowledged QoS 1 messages the broker may have in flight to us.</summary>
    [Range(1, 65535)]
    public int ReceiveMaximum { get; set; } = 65535;

    /// <summary>
    /// Socket send and receive buffer. MQTTnet's default (8 KiB) fixes the receive window so small that a backlog at the
    /// broker trickles in at a few thousand messages a second while the gateway flushes a batch; 1 MiB keeps it flowing.
    /// </summary>
    [Range(8192, 16 * 1024 * 1024)]
    public int SocketBufferBytes { get; set; } = BufferedSocketStreamProvider.DefaultSocketBufferBytes;

    public TimeSpan ReconnectMinDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Port of the embedded broker when <see cref="Host"/> is empty.</summary>
    [Range(1, 65535)]
    public int EmbeddedPort { get; set; } = 1883;

    public string EmbeddedBindAddress { get; set; } = "127.0.0.1";

    public bool UsesEmbeddedBroker => string.IsNullOrWhiteSpace(Host);

    public string EffectiveHost => UsesEmbeddedBroker ? EmbeddedBindAddress : Host;

    public int EffectivePort => UsesEmbeddedBroker ? EmbeddedPort : Port;
}
