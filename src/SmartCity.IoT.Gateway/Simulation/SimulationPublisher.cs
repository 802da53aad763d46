using System.Diagnostics;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using SmartCity.IoT.Devices.Simulation;
using SmartCity.IoT.Mqtt.Transport;

namespace SmartCity.IoT.Gateway.Simulation;

/// <summary>
/// Publishes simulated readings to any MQTT broker: the demo's built-in devices, the `simulate` command and the load run.
/// Keeps up to <see cref="PublishSettings.MaxInFlight"/> publishes outstanding so QoS 1 is not bound by round trips.
/// </summary>
internal static class SimulationPublisher
{
    /// <summary>
    /// Publishes until the count, the duration or the token ends it; returns how many messages the broker accepted.
    /// <paramref name="progress"/> gets the number sent after each message. Throws <see cref="BrokerUnreachableException"/>
    /// when no connection is made within <see cref="PublishSettings.ConnectTimeout"/>.
    /// </summary>
    public static async Task<long> RunAsync(DeviceSimulator simulator, PublishSettings settings, TimeProvider time, CancellationToken cancellationToken, Action<long>? progress = null)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer(settings.Host, settings.Port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(settings.ClientId)
            .WithCleanStart(true)
            .WithTimeout(settings.ConnectTimeout < TimeSpan.FromSeconds(10) ? settings.ConnectTimeout : TimeSpan.FromSeconds(10))
            .Build();
        // The gateway's own transport: MQTTnet's 8 KiB socket buffer would make the publisher, not the broker, the limit
        // of a fast run.
        new BufferedSocketStreamProvider(BufferedSocketStreamProvider.DefaultSocketBufferBytes).AttachTo(options);
        await ConnectWithRetryAsync(client, options, settings, cancellationToken).ConfigureAwait(false);

        var qos = settings.QualityOfService == 0 ? MqttQualityOfServiceLevel.AtMostOnce : MqttQualityOfServiceLevel.AtLeastOnce;
        var inFlight = new SemaphoreSlim(settings.MaxInFlight, settings.MaxInFlight);
        var started = time.GetTimestamp();
        long sent = 0;
        long accepted = 0;
        var failures = 0;
        var pending = new List<Task>();
        try
        {
            while (!cancellationToken.IsCancellationRequested && (settings.Count <= 0 || sent < settings.Count))
            {
                var elapsed = time.GetElapsedTime(started);
                if (settings.Duration is { } d && elapsed >= d)
                {
                    break;
                }

                if (settings.RatePerSecond > 0)
                {
                    var due = TimeSpan.FromSeconds(sent / settings.RatePerSecond);
                    if (due > elapsed)
                    {
                        await Task.Delay(due - elapsed, time, cancellationToken).ConfigureAwait(false);
                    }
                }

                var message = simulator.Next();
                var app = new MqttApplicationMessageBuilder()
                    .WithTopic(message.Topic)
                    .WithPayload(message.Payload)
                    .WithQualityOfServiceLevel(qos)
                    .Build();
                await inFlight.WaitAsync(cancellationToken).ConfigureAwait(false);
                sent++;
                pending.Add(PublishOneAsync());
                if (pending.Count >= settings.MaxInFlight * 2)
                {
                    pending.RemoveAll(t => t.IsCompleted);
                }

                progress?.Invoke(sent);

                async Task PublishOneAsync()
                {
                    try
                    {
                        var result = await client.PublishAsync(app, cancellationToken).ConfigureAwait(false);
                        if (result.IsSuccess)
                        {
                            Interlocked.Increment(ref accepted);
                        }
                        else
                        {
                            Interlocked.Increment(ref failures);
                        }
                    }
                    catch (Exception) when (!cancellationToken.IsCancellationRequested)
                    {
                        Interlocked.Increment(ref failures);
                    }
                    finally
                    {
                        inFlight.Release();
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped by the caller.
        }

        await Task.WhenAll(pending).ConfigureAwait(false);
        if (client.IsConnected)
        {
            await client.DisconnectAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
        }

        return Interlocked.Read(ref accepted);
    }

    private static async Task ConnectWithRetryAsync(IMqttClient client, MqttClientOptions options, PublishSettings settings, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await client.ConnectAsync(options, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception) when (deadline.Elapsed + TimeSpan.FromMilliseconds(500) < settings.ConnectTimeout && !cancellationToken.IsCancellationRequested)
            {
                // The broker may still be starting (the demo starts both at once).
                await Task.Delay(500, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new BrokerUnreachableException(settings.Host, settings.Port, ex);
            }
        }
    }
}
