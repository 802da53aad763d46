using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace SmartCity.IoT.IntegrationTests.Infrastructure;

/// <summary>Publishes test messages at QoS 1 and counts only those the broker acknowledged.</summary>
internal sealed class TestPublisher : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly MqttClientOptions[] _endpoints;
    private int _current;

    private TestPublisher(IReadOnlyList<int> ports, MqttProtocolVersion version)
    {
        var clientId = "it-publisher-" + Guid.NewGuid().ToString("N")[..8];
        _endpoints = ports.Select(port => new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithProtocolVersion(version)
            .WithClientId(clientId)
            .WithCleanStart(true)
            .WithTimeout(TimeSpan.FromSeconds(5))
            .Build()).ToArray();
    }

    private MqttClientOptions Endpoint => _endpoints[_current];

    /// <summary>How many times <see cref="PublishWithRetryAsync"/> moved on to the next port after a failed connect.</summary>
    public int Failovers { get; private set; }

    public static Task<TestPublisher> ConnectAsync(int port, MqttProtocolVersion version = MqttProtocolVersion.V500) => ConnectAsync([port], version);

    /// <summary>
    /// Connects to the first of <paramref name="ports"/>; <see cref="PublishWithRetryAsync"/> moves on to the next one when
    /// a reconnect fails, as a device behind a load balancer reaches another node of a cluster.
    /// </summary>
    public static async Task<TestPublisher> ConnectAsync(IReadOnlyList<int> ports, MqttProtocolVersion version)
    {
        var publisher = new TestPublisher(ports, version);
        await publisher._client.ConnectAsync(publisher.Endpoint);
        return publisher;
    }

    public async Task PublishAsync(string topic, byte[] payload)
    {
        var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
        var result = await _client.PublishAsync(message);
        if (!result.IsSuccess)
        {
            throw new InvalidOperationException($"broker refused {topic}: {result.ReasonCode}");
        }
    }

    /// <summary>
    /// Publishes, reconnecting while the broker is away; a <see cref="TimeoutException"/> naming <paramref name="what"/>
    /// and the last error if no broker took it within the timeout.
    /// </summary>
    public Task PublishWithRetryAsync(string topic, byte[] payload, TimeSpan timeout, string what) => Eventually.UntilAsync(
        async () =>
        {
            if (!_client.IsConnected)
            {
                try
                {
                    await _client.ConnectAsync(Endpoint);
                }
                catch (Exception) when (_endpoints.Length > 1)
                {
                    _current = (_current + 1) % _endpoints.Length;
                    Failovers++;
                    throw;
                }
            }

            await PublishAsync(topic, payload);
            return true;
        },
        timeout,
        $"a broker to take {topic} ({what})",
        interval: TimeSpan.FromMilliseconds(100));

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync();
        }

        _client.Dispose();
    }
}
