using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace SmartCity.IoT.IntegrationTests.Infrastructure;

/// <summary>Publishes test messages at QoS 1 and counts only those the broker acknowledged.</summary>
internal sealed class TestPublisher : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly MqttClientOptions _options;

    private TestPublisher(int port, MqttProtocolVersion version)
    {
        _options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithProtocolVersion(version)
            .WithClientId("it-publisher-" + Guid.NewGuid().ToString("N")[..8])
            .WithCleanStart(true)
            .WithTimeout(TimeSpan.FromSeconds(5))
            .Build();
    }

    public static async Task<TestPublisher> ConnectAsync(int port, MqttProtocolVersion version = MqttProtocolVersion.V500)
    {
        var publisher = new TestPublisher(port, version);
        await publisher._client.ConnectAsync(publisher._options);
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

    /// <summary>Publishes, reconnecting while the broker is away; returns false if the broker never took it within the timeout.</summary>
    public async Task<bool> PublishWithRetryAsync(string topic, byte[] payload, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (!_client.IsConnected)
                {
                    await _client.ConnectAsync(_options);
                }

                await PublishAsync(topic, payload);
                return true;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }

        return false;
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync();
        }

        _client.Dispose();
    }
}
