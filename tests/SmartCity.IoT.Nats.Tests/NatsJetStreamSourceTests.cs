using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using SmartCity.IoT.Core.Pipeline;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.Nats.Tests;

/// <summary>Devices publish MQTT QoS 1 into nats-server; the server's mapping partitions them; gateways consume their partitions.</summary>
public sealed class NatsJetStreamSourceTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Two_instances_share_the_partitions_and_each_device_reaches_exactly_the_owner_of_its_partition()
    {
        await using var server = await NatsServer.StartAsync();
        await CreateStreamAsync(server);
        var devices = Enumerable.Range(0, 40).Select(i => $"ies-{i:D2}").ToArray();
        await using var first = Source(server, instance: 0);
        await using var second = Source(server, instance: 1);
        var a = new Recorder(first, ack: true);
        var b = new Recorder(second, ack: true);
        using var stop = new CancellationTokenSource();
        var runs = new[] { first.RunAsync(Subscription, a, stop.Token), second.RunAsync(Subscription, b, stop.Token) };

        await PublishAsync(server, devices);
        await Eventually.UntilAsync(() => a.Count + b.Count >= devices.Length, Bound, () => $"every device delivered ({a.Count} + {b.Count} of {devices.Length} so far)\n{server.Output}");

        Assert.Equal([0, 2], first.OwnedPartitions);
        Assert.Equal([1, 3], second.OwnedPartitions);
        foreach (var device in devices)
        {
            var owner = NatsCluster.PartitionOf(device, NatsServer.Partitions) % 2 == 0 ? a : b;
            var other = owner == a ? b : a;
            Assert.Contains($"buildings.hq.env.{device}.telemetry", owner.Topics);
            Assert.DoesNotContain(other.Topics, t => t.Contains(device, StringComparison.Ordinal));
        }

        Assert.Equal(devices.Length, a.Count + b.Count);
        Assert.True(first.Health.Connected);
        Assert.Equal(["p.0.>", "p.2.>"], first.Health.Filters);
        await stop.CancelAsync();
        await Task.WhenAll(runs);
    }

    [Fact]
    public async Task A_message_not_acknowledged_within_the_ack_wait_is_delivered_again_marked_as_a_redelivery()
    {
        await using var server = await NatsServer.StartAsync();
        await CreateStreamAsync(server);
        await using var source = Source(server, instance: 0, instances: 1, ackWait: TimeSpan.FromSeconds(1));
        var recorder = new Recorder(source, ack: false);
        using var stop = new CancellationTokenSource();
        var run = source.RunAsync(Subscription, recorder, stop.Token);

        await PublishAsync(server, ["ies-07"]);
        await Eventually.UntilAsync(() => recorder.Messages.Any(m => m.Redelivered), Bound, () => $"a redelivery (none among {recorder.Count} deliveries)\n{server.Output}");
        Assert.False(recorder.Messages.First().Redelivered);
        Assert.Equal("hello ies-07", recorder.Messages.First().Payload);

        // Acknowledged now, it comes no more. The proof that a whole ack wait has passed since: ies-08, delivered after the
        // acknowledgement and left unacknowledged, is redelivered.
        await source.AcknowledgeAsync(recorder.Tokens.ToArray(), CancellationToken.None);
        var before = recorder.Count;
        await PublishAsync(server, ["ies-08"]);
        await Eventually.UntilAsync(() => recorder.Messages.Any(m => m.Redelivered && m.Topic.Contains("ies-08", StringComparison.Ordinal)), Bound, "ies-08 to be redelivered");
        Assert.DoesNotContain(recorder.Messages.Skip(before), m => m.Topic.Contains("ies-07", StringComparison.Ordinal));
        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task A_stream_that_does_not_exist_is_named_in_the_health_and_consumed_once_it_is_created()
    {
        await using var server = await NatsServer.StartAsync();
        await using var source = Source(server, instance: 0, instances: 1);
        var recorder = new Recorder(source, ack: true);
        using var stop = new CancellationTokenSource();
        var run = source.RunAsync(Subscription, recorder, stop.Token);

        await Eventually.UntilAsync(() => source.Health.LastError is not null, Bound, "an error while the stream is missing");
        Assert.Equal("stream 'READINGS' does not exist on " + server.Url + ": create it with `smartcity nats init` (see README, \"Scale out on NATS JetStream\")", source.Health.LastError);

        await CreateStreamAsync(server);
        await PublishAsync(server, ["ies-01"]);
        await Eventually.UntilAsync(() => recorder.Count == 1, Bound, () => $"a message consumed after the stream was created; last error: {source.Health.LastError} {run.Exception}");
        Assert.Null(source.Health.LastError);
        await stop.CancelAsync();
        await run;
    }

    private static SourceSubscription Subscription { get; } = new(Array.Empty<SmartCity.IoT.Core.Decoding.TopicTemplate>());

    private static NatsJetStreamSource Source(NatsServer server, int instance, int instances = 2, TimeSpan? ackWait = null) => new(
        new NatsOptions
        {
            Url = server.Url,
            Name = $"nats-{instance}",
            Partitions = NatsServer.Partitions,
            Instance = instance,
            Instances = instances,
            AckWait = ackWait ?? TimeSpan.FromSeconds(30),
            ReconnectMinDelay = TimeSpan.FromMilliseconds(50),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
        },
        NullLogger<NatsJetStreamSource>.Instance,
        TimeProvider.System);

    private static async Task CreateStreamAsync(NatsServer server)
    {
        await using var nats = new NatsConnection(new NatsOpts { Url = server.Url });
        var js = new NatsJSContext(nats);
        await js.CreateStreamAsync(new StreamConfig("READINGS", ["p.>"]));
    }

    /// <summary>Each device publishes once at QoS 1 through the server's MQTT listener (payload: "hello &lt;device&gt;" unless given).</summary>
    internal static async Task PublishAsync(NatsServer server, IEnumerable<string> devices, Func<string, string>? payload = null)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", server.MqttPort).WithProtocolVersion(MqttProtocolVersion.V311).WithClientId($"pub-{Guid.NewGuid():N}").Build());
        foreach (var device in devices)
        {
            var result = await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"buildings/hq/env/{device}/telemetry").WithPayload(payload?.Invoke(device) ?? $"hello {device}").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
            Assert.True(result.IsSuccess, $"publish of {device}: {result.ReasonCode}");
        }

        await client.DisconnectAsync();
    }
}
