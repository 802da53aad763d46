using System.ComponentModel.DataAnnotations;
using SmartCity.IoT.Core.Security;
using SmartCity.IoT.Core.Tls;
using SmartCity.IoT.Mqtt.Transport;

namespace SmartCity.IoT.Mqtt;

/// <summary>Configuration section <c>Mqtt</c>. An empty <see cref="Host"/> starts the embedded broker (demo mode).</summary>
public sealed class MqttOptions
{
    public const string SectionName = "Mqtt";

    public const string DefaultName = "mqtt";

    /// <summary>This source's name in logs, metrics, the status page and a profile's <c>source</c>.</summary>
    public string Name { get; set; } = DefaultName;

    /// <summary>
    /// Several broker connections at once, each its own source (for example the network server for LoRaWAN sensors and
    /// the site's Mosquitto for Wi-Fi sensors). Empty: this section itself is the one source.
    /// </summary>
    // Checked item by item by MqttOptionsRulesValidator: the generator cannot follow a type that contains itself.
#pragma warning disable SYSLIB1213
    public MqttOptions[] Sources { get; set; } = [];
#pragma warning restore SYSLIB1213

    /// <summary><c>auto</c> (MQTT 5, falling back to 3.1.1 when the broker refuses it), <c>5</c> or <c>3.1.1</c>.</summary>
    public string ProtocolVersion { get; set; } = "auto";

    /// <summary>
    /// Broker host name, or a WebSocket URL (<c>ws://host:port/path</c>, <c>wss://…</c>) for brokers reachable only that
    /// way; empty means the embedded MQTTnet broker on <see cref="EmbeddedPort"/>.
    /// </summary>
    public string Host { get; set; } = "";

    [Range(1, 65535)]
    public int Port { get; set; } = 1883;

    public bool UseTls { get; set; }

    /// <summary>How the broker's certificate is checked and which client certificate is shown (<c>Mqtt:Tls</c>).</summary>
    public TlsClientOptions Tls { get; set; } = new();

    /// <summary>Refused at start when true: it turned every certificate check off. See <see cref="TlsClientOptions.InsecureSkipVerify"/>.</summary>
    public bool AllowUntrustedCertificates { get; set; }

    public string? Username { get; set; }

    /// <summary>From the environment or a secrets file; never logged. <see cref="PasswordFile"/> is the alternative.</summary>
    public string? Password { get; set; }

    /// <summary>A file holding the password (one line; a trailing newline is ignored), e.g. a container secret.</summary>
    public string? PasswordFile { get; set; }

    /// <summary>Whether the connection uses TLS: <see cref="UseTls"/> or a <c>wss://</c> host.</summary>
    public bool UsesTls => !UsesEmbeddedBroker && (UseTls || Host.StartsWith("wss://", StringComparison.OrdinalIgnoreCase));

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

    /// <summary>
    /// Address of the embedded broker: an IPv4 or IPv6 address, or <c>localhost</c> for both loopback addresses. The
    /// embedded broker has no authentication, so anything but loopback lets the network publish readings.
    /// </summary>
    public string EmbeddedBindAddress { get; set; } = "127.0.0.1";

    public bool UsesEmbeddedBroker => string.IsNullOrWhiteSpace(Host) && Sources.Length == 0;

    /// <summary>Whether <see cref="Host"/> is a <c>ws://</c> or <c>wss://</c> URL.</summary>
    public bool UsesWebSocket => Host.StartsWith("ws://", StringComparison.OrdinalIgnoreCase) || Host.StartsWith("wss://", StringComparison.OrdinalIgnoreCase);

    public string EffectiveHost => UsesEmbeddedBroker ? EmbeddedBindAddress : Host;

    /// <summary>Where this source connects, as logs and the status page show it.</summary>
    public string Endpoint => UsesWebSocket ? UrlRedactor.Redact(Host) : $"{EffectiveHost}:{EffectivePort}";

    /// <summary>The sources this section configures: the <see cref="Sources"/> list, or this section alone.</summary>
    public IReadOnlyList<MqttOptions> Connections() => Sources.Length > 0 ? Sources : [this];

    public int EffectivePort => UsesEmbeddedBroker ? EmbeddedPort : Port;
}
