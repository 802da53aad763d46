using System.Diagnostics;
using MQTTnet;
using MQTTnet.Formatter;
using SmartCity.IoT.Mqtt.Transport;

namespace SmartCity.IoT.LoadTool;

internal static class Broker
{
    public static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>MQTT 5, clean start, the given receive window (QoS 1 messages the broker may have unacknowledged), retried for up to 20 s while the broker starts.</summary>
    public static async Task<IMqttClient> ConnectAsync(string host, int port, string clientId, ushort receiveMaximum, CancellationToken cancellationToken)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer(host, port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(clientId)
            .WithCleanStart(true)
            .WithReceiveMaximum(receiveMaximum)
            .WithTimeout(TimeSpan.FromSeconds(10))
            .Build();
        // The gateway's transport (buffered reads, coalesced PUBACKs, 1 MiB socket buffers): a bare subscriber as cheap
        // as the gateway's own connection, so the ceiling measures the broker.
        new BufferedSocketStreamProvider(BufferedSocketStreamProvider.DefaultSocketBufferBytes).AttachTo(options);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await client.ConnectAsync(options, cancellationToken).ConfigureAwait(false);
                return client;
            }
            catch (Exception ex) when (clock.Elapsed < TimeSpan.FromSeconds(20) && !cancellationToken.IsCancellationRequested)
            {
                Console.Error.WriteLine($"connect to {host}:{port} failed ({ex.Message}); retrying");
                await Task.Delay(250, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
