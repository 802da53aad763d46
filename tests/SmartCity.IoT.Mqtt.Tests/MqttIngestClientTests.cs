using MQTTnet.Formatter;
using MQTTnet.Protocol;
using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Core.Pipeline;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.Mqtt.Tests;

/// <summary>The MQTT source against MQTTnet's server: version choice, 3.1.1 sessions, connect errors, QoS 0, retained messages.</summary>
public sealed class MqttIngestClientTests
{
    [Fact]
    public async Task Auto_falls_back_to_3_1_1_when_the_broker_refuses_MQTT_5_and_says_so_in_one_line()
    {
        await using var broker = await TestBroker.StartAsync();
        broker.Validate = e => e.ProtocolVersion == MqttProtocolVersion.V500 ? MqttConnectReasonCode.UnsupportedProtocolVersion : MqttConnectReasonCode.Success;
        var run = Start(Options(broker), new RecordingHandler());
        await using (run)
        {
            await run.WaitConnectedAsync();
            Assert.Equal("3.1.1", run.Client.ProtocolText);
            Assert.Equal(1, run.Log.Count("auto chose MQTT 3.1.1"));
            Assert.Equal(1, run.Log.Count("MQTT source mqtt speaks MQTT 3.1.1"));
            Assert.Equal(0, run.Log.Count("cannot connect"));
        }
    }

    [Fact]
    public async Task Auto_keeps_MQTT_5_where_the_broker_speaks_it()
    {
        await using var broker = await TestBroker.StartAsync();
        var run = Start(Options(broker), new RecordingHandler());
        await using (run)
        {
            await run.WaitConnectedAsync();
            Assert.Equal("5", run.Client.ProtocolText);
            Assert.Equal(1, run.Log.Count("auto chose MQTT 5"));
        }
    }

    [Fact]
    public async Task Under_3_1_1_the_session_persists_and_unacknowledged_messages_are_redelivered_after_a_reconnect()
    {
        await using var broker = await TestBroker.StartAsync();
        var options = Options(broker, "3.1.1");
        var first = new RecordingHandler(acknowledge: false);
        await using (var run = Start(options, first))
        {
            await run.WaitConnectedAsync();
            await broker.PublishAsync("test/dev1/telemetry", "one");
            await first.WaitForAsync(m => m.Payload == "one", "the first delivery");
        }

        var second = new RecordingHandler();
        await using (var run = Start(options, second))
        {
            await run.WaitConnectedAsync();
            Assert.True(run.Client.SessionPresent, "clean session off: the broker kept the session");
            await second.WaitForAsync(m => m.Payload == "one", "the redelivery of the unacknowledged message");
        }
    }

    [Theory]
    [InlineData(MqttConnectReasonCode.BadUserNameOrPassword, "username or password rejected by 127.0.0.1:")]
    [InlineData(MqttConnectReasonCode.ClientIdentifierNotValid, "client id rejected by 127.0.0.1:")]
    [InlineData(MqttConnectReasonCode.NotAuthorized, "does not let this user connect (not authorized)")]
    public async Task A_refused_connect_is_told_in_plain_words_once_however_often_it_is_retried(MqttConnectReasonCode code, string expected)
    {
        await using var broker = await TestBroker.StartAsync();
        var refuse = true;
        broker.Validate = _ => Volatile.Read(ref refuse) ? code : MqttConnectReasonCode.Success;
        foreach (var version in new[] { "5", "3.1.1" })
        {
            var run = Start(Options(broker, version), new RecordingHandler());
            await using (run)
            {
                await run.WaitAsync(() => run.Client.FailedConnects >= 4, "four failed connects");
                Assert.Equal(1, run.Log.Count(expected, Microsoft.Extensions.Logging.LogLevel.Warning));
                Assert.All(run.Log.Lines, l => Assert.Null(l.Exception)); // no stack trace
                Assert.Contains(expected, run.Client.Health.LastError, StringComparison.Ordinal);
            }
        }

        Volatile.Write(ref refuse, false);
        var fixedRun = Start(Options(broker), new RecordingHandler());
        await using (fixedRun)
        {
            await fixedRun.WaitConnectedAsync();
            Assert.Null(fixedRun.Client.LastError);
        }
    }

    [Fact]
    public async Task A_QoS_0_source_counts_what_arrives_and_says_it_is_at_most_once()
    {
        await using var broker = await TestBroker.StartAsync();
        var options = Options(broker);
        options.QualityOfService = 0;
        var handler = new RecordingHandler();
        var run = Start(options, handler);
        await using (run)
        {
            await run.WaitConnectedAsync();
            for (var i = 0; i < 3; i++)
            {
                await broker.PublishAsync($"test/d{i}/telemetry", "x", MqttQualityOfServiceLevel.AtMostOnce);
            }

            await run.WaitAsync(() => handler.Received.Count == 3, "three QoS 0 messages");
            Assert.Equal(3, run.Client.ReceivedAtMostOnce);
            Assert.Equal(0, run.Client.ReceivedAtLeastOnce);
            Assert.StartsWith("at most once (QoS 0)", run.Client.Health.Delivery, StringComparison.Ordinal);
            Assert.Equal(1, run.Log.Count("subscribes at QoS 0 (at most once)", Microsoft.Extensions.Logging.LogLevel.Warning));
        }
    }

    [Theory]
    [InlineData("5", RetainedPolicy.Skip, false)]
    [InlineData("5", RetainedPolicy.Replay, true)]
    [InlineData("3.1.1", RetainedPolicy.Skip, true)] // 3.1.1 cannot ask: it arrives marked, and the pipeline drops it
    [InlineData("3.1.1", RetainedPolicy.Replay, true)]
    public async Task Retained_messages_are_asked_for_only_where_a_profile_replays_them_and_always_arrive_marked(string version, RetainedPolicy policy, bool delivered)
    {
        await using var broker = await TestBroker.StartAsync();
        await broker.PublishAsync("site/old1/telemetry", "stored", retain: true);
        var options = Options(broker, version);
        options.Topics = [];
        var handler = new RecordingHandler();
        var run = Start(options, handler, Subscription(policy));
        await using (run)
        {
            await run.WaitConnectedAsync();
            await broker.PublishAsync("site/new1/telemetry", "live");
            await handler.WaitForAsync(m => m.Payload == "live", "the live message");
            Assert.False(handler.Received.Single(m => m.Payload == "live").Replay);
            var replays = handler.Received.Where(m => m.Payload == "stored").ToList();
            Assert.Equal(delivered ? 1 : 0, replays.Count);
            Assert.All(replays, r => Assert.True(r.Replay));
        }
    }

    [Fact]
    public async Task A_source_subscribes_only_to_the_profiles_that_name_it_or_no_source()
    {
        var subscription = new SourceSubscription([
            Route("a/{deviceId}/t", new DeviceProfile("v/a", "v", "a", "environment") { Source = "lora" }),
            Route("b/{deviceId}/t", new DeviceProfile("v/b", "v", "b", "environment") { Source = "site" }),
            Route("c/{deviceId}/t", new DeviceProfile("v/c", "v", "c", "environment")),
        ]);

        Assert.Equal(["a/+/t", "c/+/t"], subscription.FiltersFor(TopicSyntax.Mqtt, "lora").Select(f => f.Filter));
        Assert.Equal(["b/+/t", "c/+/t"], subscription.FiltersFor(TopicSyntax.Mqtt, "site").Select(f => f.Filter));
    }

    internal static MqttOptions Options(TestBroker broker, string version = "auto") => new()
    {
        Host = "127.0.0.1",
        Port = broker.Port,
        ClientId = "unit-" + Guid.NewGuid().ToString("N")[..10],
        ProtocolVersion = version,
        Topics = ["test/#"],
        ReconnectMinDelay = TimeSpan.FromMilliseconds(20),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(50),
    };

    internal static SourceSubscription Subscription(RetainedPolicy policy) =>
        new([Route("site/{deviceId}/telemetry", new DeviceProfile("acme/t1", "acme", "t1", "environment") { Retained = policy })]);

    private static TopicRoute Route(string template, DeviceProfile profile)
    {
        Assert.True(TopicTemplate.TryParse(template, null, out var tpl, out var error), error);
        return new TopicRoute(tpl!, profile, null);
    }

    internal static RunningClient Start(MqttOptions options, IMessageHandler handler, SourceSubscription? subscription = null)
    {
        var log = new RecordingLogger<MqttIngestClient>();
        var client = new MqttIngestClient(options, log, TimeProvider.System);
        var stop = new CancellationTokenSource();
        var task = client.RunAsync(subscription ?? new SourceSubscription(Array.Empty<TopicTemplate>()), handler, stop.Token);
        return new RunningClient(client, log, task, stop);
    }

    internal sealed class RunningClient(MqttIngestClient client, RecordingLogger<MqttIngestClient> log, Task run, CancellationTokenSource stop) : IAsyncDisposable
    {
        public MqttIngestClient Client => client;

        public RecordingLogger<MqttIngestClient> Log => log;

        public Task WaitConnectedAsync() => WaitAsync(() => client.IsConnected && client.SubscribedFilters.Count > 0, "connected and subscribed");

        /// <summary>Waits until <paramref name="condition"/> holds; a client that stops running meanwhile ends the wait at once.</summary>
        public Task WaitAsync(Func<bool> condition, string what) => Eventually.UntilAsync(
            () =>
            {
                if (condition())
                {
                    return true;
                }

                if (run.IsCompleted)
                {
                    Assert.Fail($"the client stopped ({run.Status}: {run.Exception?.GetBaseException().Message}) while waiting for {what}; log: {LogText()}");
                }

                return false;
            },
            TimeSpan.FromSeconds(15),
            () => $"{what}; log: {LogText()}");

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            await run;
            await client.DisposeAsync();
            stop.Dispose();
        }

        private string LogText() => string.Join(" | ", log.Lines.Select(l => l.Message));
    }
}
