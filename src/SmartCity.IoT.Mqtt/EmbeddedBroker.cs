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

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!_options.UsesEmbeddedBroker)
        {
            return;
        }

        var options = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Parse(_options.EmbeddedBindAddress))
            .WithDefaultEndpointPort(_options.EmbeddedPort)
            .WithPersistentSessions()
            .WithMaxPendingMessagesPerClient(100_000)
            .Build();
        _server = new MqttServerFactory().CreateMqttServer(options);
        await _server.StartAsync().ConfigureAwait(false);
        Log.EmbeddedStarted(_logger, _options.EmbeddedBindAddress, _options.EmbeddedPort);
    }

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
