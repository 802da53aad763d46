using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet.Server;

namespace SmartCity.IoT.Mqtt;

/// <summary>
/// MQTTnet's in-process broker, for the zero-setup demo only (tests and production use a real broker such as Mosquitto).
/// Started when <see cref="MqttOptions.Host"/> is empty.
/// </summary>
public sealed class EmbeddedBroker : IHostedService, IAsyncDisposable
{
    private readonly MqttOptions _options;
    private readonly ILogger<EmbeddedBroker> _logger;
    private MqttServer? _server;

    public EmbeddedBroker(IOptions<MqttOptions> options, ILogger<EmbeddedBroker> logger)
    {
        _options = options.Value;
        _logger = logger;
    }

    public bool IsRunning => _server?.IsStarted == true;

    /// <summary>The addresses and port the broker's listeners are bound to (empty before the start).</summary>
    public IReadOnlyList<IPEndPoint> BoundEndpoints { get; private set; } = [];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!_options.UsesEmbeddedBroker)
        {
            return;
        }

        if (!EmbeddedBindAddresses.TryParse(_options.EmbeddedBindAddress, out var bind))
        {
            throw new InvalidOperationException($"Mqtt:EmbeddedBindAddress '{_options.EmbeddedBindAddress}' must be an IPv4 or IPv6 address, or 'localhost'.");
        }

        // MQTTnet listens on both families unless told otherwise, the IPv6 one on [::] whatever the IPv4 address is:
        // the family not asked for is switched off (IPAddress.None).
        var options = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(bind.V4 ?? IPAddress.None)
            .WithDefaultEndpointBoundIPV6Address(bind.V6 ?? IPAddress.None)
            .WithDefaultEndpointPort(_options.EmbeddedPort)
            .WithPersistentSessions()
            .WithMaxPendingMessagesPerClient(100_000)
            .Build();
        _server = new MqttServerFactory().CreateMqttServer(options);
        _server.ValidatingConnectionAsync += AssignClientId;
        await _server.StartAsync().ConfigureAwait(false);
        // A listener that cannot bind makes StartAsync throw (MQTTnet's warnings-only mode is off by default), so the
        // port read back from the options is that of every listener asked for.
        var port = options.DefaultEndpointOptions.Port;
        BoundEndpoints = new[] { bind.V4, bind.V6 }.OfType<IPAddress>().Select(a => new IPEndPoint(a, port)).ToArray();
        var endpoints = string.Join(" and ", BoundEndpoints.Select(e => e.ToString()));
        Log.EmbeddedStarted(_logger, endpoints);
        if (BoundEndpoints.Any(e => !IPAddress.IsLoopback(e.Address)))
        {
            Log.EmbeddedBeyondLoopback(_logger, endpoints);
        }
    }

    /// <summary>
    /// An empty client id (mosquitto_pub without -i, many small devices) gets one from the broker, as MQTT 3.1.1 (with a
    /// clean session) and 5 allow; MQTTnet refuses such clients unless the server assigns an id.
    /// </summary>
    private static Task AssignClientId(ValidatingConnectionEventArgs e)
    {
        if (string.IsNullOrEmpty(e.ClientId))
        {
            var id = "auto-" + Guid.NewGuid().ToString("N");
            e.AssignedClientIdentifier = id; // MQTT 5: MQTTnet uses it and tells the client
            // MQTT 3.1.1: MQTTnet only assigns for 5, so the id goes into the CONNECT packet itself (EmbeddedBrokerTests
            // connect mosquitto_pub without -i to catch an MQTTnet change here).
            if (ConnectPacketField?.GetValue(e) is MQTTnet.Packets.MqttConnectPacket packet && e.ProtocolVersion != MQTTnet.Formatter.MqttProtocolVersion.V500)
            {
                packet.ClientId = id;
            }
        }

        return Task.CompletedTask;
    }

    private static readonly System.Reflection.FieldInfo? ConnectPacketField = typeof(ValidatingConnectionEventArgs)
        .GetFields(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)
        .FirstOrDefault(f => f.FieldType == typeof(MQTTnet.Packets.MqttConnectPacket));

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is { IsStarted: true })
        {
            await _server.StopAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await StopAsync(CancellationToken.None).ConfigureAwait(false);
            _server.Dispose();
            _server = null;
        }
    }
}
