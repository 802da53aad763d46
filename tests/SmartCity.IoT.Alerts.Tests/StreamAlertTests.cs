using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using SmartCity.IoT.Alerts.Options;
using SmartCity.IoT.Alerts.Routing;
using SmartCity.IoT.Alerts.Stream;
using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Nats.Tests;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.Alerts.Tests;

/// <summary>
/// NATS mode: transitions committed to a replicated JetStream stream, delivered by any instance's dispatcher, against a
/// real nats-server and a real HTTP receiver.
/// </summary>
public sealed class StreamAlertTests
{
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Two_dispatchers_deliver_one_firing_and_one_resolve_per_episode_though_the_firing_is_committed_twice()
    {
        await using var server = await NatsServer.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await using var a = await Instance.StartAsync(server, receiver.Url);
        await using var b = await Instance.StartAsync(server, receiver.Url);
        var firing = Origin(TestAlerts.Firing(device: "ems-1"), 41);

        // The old owner committed the firing; the new owner, replaying the partition, commits the same transition again.
        await a.Outbox.CommitAsync([firing], CancellationToken.None);
        await b.Outbox.CommitAsync([firing with { At = firing.At.AddMilliseconds(3) }], CancellationToken.None);
        await b.Outbox.CommitAsync([TestAlerts.Resolved(firing, firing.At.AddMinutes(5))], CancellationToken.None);
        // A later, different episode: once it has arrived, everything before it has too.
        var later = Origin(TestAlerts.Firing(device: "ems-2"), 57);
        await a.Outbox.CommitAsync([later], CancellationToken.None);
        await Eventually.UntilAsync(() => receiver.Requests.Any(r => Device(r) == "ems-2"), Bound, "the later episode's notification");

        var first = receiver.Requests.Where(r => Device(r) == "ems-1").Select(Status).ToArray();
        Assert.Equal(["firing", "resolved"], first);
        Assert.Equal(1, b.Outbox.Duplicates);
        Assert.All(receiver.Requests, r => Assert.True(SigningTests.Verify(Secret, r.Headers, r.Body, DateTimeOffset.UtcNow)));
        Assert.Equal(receiver.Requests.Count, receiver.Requests.Select(r => r.Headers["webhook-id"]).Distinct().Count());
    }

    [Fact]
    public async Task A_failed_attempt_is_redelivered_later_with_the_same_webhook_id()
    {
        await using var server = await NatsServer.StartAsync();
        await using var receiver = await Receiver.StartAsync(503, 200);
        await using var a = await Instance.StartAsync(server, receiver.Url);

        await a.Outbox.CommitAsync([Origin(TestAlerts.Firing(), 7)], CancellationToken.None);
        await Eventually.UntilAsync(() => receiver.Answered.Count >= 2, Bound, "a retried delivery");

        var calls = receiver.Requests.OrderBy(r => r.Call).ToArray();
        Assert.Equal(2, calls.Length);
        Assert.Equal(calls[0].Headers["webhook-id"], calls[1].Headers["webhook-id"]);
        Assert.Equal(calls[0].Body, calls[1].Body);
        Assert.True(calls[1].At - calls[0].At >= TimeSpan.FromMilliseconds(150), $"redelivered after {(calls[1].At - calls[0].At).TotalMilliseconds} ms, before the schedule's 200 ms (less jitter)");
        Assert.True(SigningTests.Verify(Secret, calls[1].Headers, calls[1].Body, DateTimeOffset.UtcNow));
    }

    [Fact]
    public async Task A_dispatcher_killed_mid_delivery_leaves_the_notification_to_the_other_with_the_same_webhook_id()
    {
        await using var server = await NatsServer.StartAsync();
        var hold = new TaskCompletionSource();
        await using var receiver = await Receiver.StartAsync(async (call, ctx) =>
        {
            if (call == 1)
            {
                await hold.Task; // the first attempt never gets an answer: its dispatcher dies meanwhile
            }

            ctx.Response.StatusCode = 200;
        });
        var a = await Instance.StartAsync(server, receiver.Url, timeout: TimeSpan.FromSeconds(1));
        await a.Outbox.CommitAsync([Origin(TestAlerts.Firing(), 9)], CancellationToken.None);
        await Eventually.UntilAsync(() => receiver.Requests.Count == 1, Bound, "the first attempt");
        await a.DisposeAsync(); // killed mid-attempt: nothing acknowledged, nothing NAKed

        await using var b = await Instance.StartAsync(server, receiver.Url, timeout: TimeSpan.FromSeconds(1));
        await Eventually.UntilAsync(() => receiver.Answered.Count == 1, Bound, "the other dispatcher's attempt");
        hold.SetResult();

        var calls = receiver.Requests.OrderBy(r => r.Call).ToArray();
        Assert.Equal(2, calls.Length);
        Assert.Equal(calls[0].Headers["webhook-id"], calls[1].Headers["webhook-id"]);
    }

    [Fact]
    public async Task After_the_schedule_s_attempts_a_notification_moves_to_the_dead_letter_subject()
    {
        await using var server = await NatsServer.StartAsync();
        await using var receiver = await Receiver.StartAsync(500, 500, 500, 500);
        await using var a = await Instance.StartAsync(server, receiver.Url);
        await a.Outbox.CommitAsync([Origin(TestAlerts.Firing(), 11)], CancellationToken.None);

        var js = new NatsJSContext(a.Connection);
        var dead = (await Eventually.WaitAsync(() => DeadAsync(js), d => d is not null, Bound, () => $"a dead letter ({receiver.Requests.Count} attempts so far)", interval: TimeSpan.FromMilliseconds(50)))!;

        Assert.Equal(2, receiver.Requests.Count); // the schedule has one retry
        Assert.Equal(receiver.Requests.First().Headers["webhook-id"], dead.Headers!["webhook-id"].ToString());
        Assert.Contains("gave up after 2 attempts", dead.Headers!["SmartCity-Reason"].ToString(), StringComparison.Ordinal);
        Assert.Equal(receiver.Requests.First().Body, dead.Data);
    }

    private static async Task<INatsJSMsg<byte[]>?> DeadAsync(NatsJSContext js)
    {
        var name = "dead-" + Guid.NewGuid().ToString("N");
        var consumer = await js.CreateOrUpdateConsumerAsync("ALERTS", new ConsumerConfig(name) { FilterSubject = "alerts.dead.ops", AckPolicy = ConsumerConfigAckPolicy.None });
        try
        {
            await foreach (var msg in consumer.FetchNoWaitAsync<byte[]>(new NatsJSFetchOpts { MaxMsgs = 1 }, NatsRawSerializer<byte[]>.Default))
            {
                return msg;
            }

            return null;
        }
        finally
        {
            await js.DeleteConsumerAsync("ALERTS", name);
        }
    }

    private static Alert Origin(Alert alert, long sequence) => alert with { EpisodeOrigin = sequence };

    private static string Device(ReceivedRequest r) => JsonDocument.Parse(r.Body).RootElement.GetProperty("alerts")[0].GetProperty("device").GetString()!;

    private static string Status(ReceivedRequest r) => JsonDocument.Parse(r.Body).RootElement.GetProperty("alerts")[0].GetProperty("status").GetString()!;

    /// <summary>One gateway's alert side in NATS mode: its own connection, outbox and dispatcher.</summary>
    private sealed class Instance : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private Task _run = Task.CompletedTask;

        private Instance(NatsConnection connection, StreamAlertOutbox outbox, StreamAlertDispatcher dispatcher)
        {
            Connection = connection;
            Outbox = outbox;
            Dispatcher = dispatcher;
        }

        public NatsConnection Connection { get; }

        public StreamAlertOutbox Outbox { get; }

        public StreamAlertDispatcher Dispatcher { get; }

        public static async Task<Instance> StartAsync(NatsServer server, string url, TimeSpan? timeout = null)
        {
            var alerts = new AlertsOptions
            {
                ExternalUrl = "http://status.example:8080",
                RetrySchedule = [TimeSpan.FromMilliseconds(200)],
                RetryJitter = 0,
                DeliveryTimeout = timeout ?? TimeSpan.FromSeconds(5),
            };
            var endpoints = new[] { new WebhookEndpoint("ops", new WebhookEndpointOptions { Name = "ops", Url = url, Secret = Secret }, alerts) };
            var connection = new NatsConnection(new NatsOpts { Url = server.Url });
            await connection.ConnectAsync();
            var stream = new AlertStream(connection, new AlertStreamOptions { Url = server.Url, AlertsDuplicateWindow = TimeSpan.FromMinutes(2) });
            var outbox = new StreamAlertOutbox(stream, NullLogger<StreamAlertOutbox>.Instance);
            var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = Timeout.InfiniteTimeSpan };
            var dispatcher = new StreamAlertDispatcher(stream, alerts, endpoints, http, TimeProvider.System, NullLogger<StreamAlertDispatcher>.Instance);
            var instance = new Instance(connection, outbox, dispatcher);
            instance._run = dispatcher.StartAsync(instance._stop.Token);
            return instance;
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await Dispatcher.StopAsync(CancellationToken.None);
            Dispatcher.Dispose();
            await Connection.DisposeAsync();
            _stop.Dispose();
        }
    }
}
