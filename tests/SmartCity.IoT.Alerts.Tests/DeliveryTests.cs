using System.Net;
using System.Net.Sockets;
using System.Text;
using SmartCity.IoT.Alerts.Delivery;
using SmartCity.IoT.Alerts.Options;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.Alerts.Tests;

/// <summary>Status-code handling, timeouts and connection failures against real receivers on 127.0.0.1.</summary>
public sealed class DeliveryTests
{
    [Fact]
    public async Task Receiver_returning_500_then_200_gets_the_same_webhook_id_twice_and_the_outbox_empties()
    {
        await using var receiver = await Receiver.StartAsync(500, 200);
        await using var h = new Harness([new WebhookEndpointOptions { Name = "ops", Url = receiver.Url }]);
        h.StartDelivery();
        h.Publish(TestAlerts.Firing());
        await Eventually.UntilAsync(() => receiver.Answered.Count >= 2 && h.Outbox.CountPending() == 0, TimeSpan.FromSeconds(10), "the second attempt");

        var list = receiver.Requests.OrderBy(r => r.Call).ToList();
        Assert.Equal(2, list.Count);
        Assert.Equal(list[0].WebhookId, list[1].WebhookId);
        Assert.Equal(list[0].BodyText, list[1].BodyText);
        Assert.True(list[1].At - list[0].At >= TimeSpan.FromMilliseconds(90), "second attempt follows the schedule (100 ms)");
        Assert.Equal(0, h.Outbox.CountDeadLetters());
    }

    [Fact]
    public async Task Retry_after_on_429_is_honoured()
    {
        await using var receiver = await Receiver.StartAsync((call, ctx) =>
        {
            ctx.Response.StatusCode = call == 1 ? 429 : 200;
            if (call == 1)
            {
                ctx.Response.Headers.RetryAfter = "2";
            }

            return Task.CompletedTask;
        });
        await using var h = new Harness([new WebhookEndpointOptions { Name = "ops", Url = receiver.Url }]);
        h.StartDelivery();
        h.Publish(TestAlerts.Firing());
        await Eventually.UntilAsync(() => receiver.Answered.Count >= 2, TimeSpan.FromSeconds(10), "the attempt after Retry-After");

        var list = receiver.Requests.OrderBy(r => r.Call).ToList();
        Assert.True(list[1].At - list[0].At >= TimeSpan.FromSeconds(1.9), $"waited {(list[1].At - list[0].At).TotalSeconds} s, Retry-After said 2 s");
        Assert.Equal(list[0].WebhookId, list[1].WebhookId);
    }

    [Fact]
    public async Task Retry_after_on_503_sets_the_stored_next_attempt()
    {
        await using var receiver = await Receiver.StartAsync((call, ctx) =>
        {
            ctx.Response.StatusCode = 503;
            ctx.Response.Headers.RetryAfter = "120";
            return Task.CompletedTask;
        });
        await using var h = new Harness([new WebhookEndpointOptions { Name = "ops", Url = receiver.Url }]);
        h.Publish(TestAlerts.Firing());
        var before = DateTimeOffset.UtcNow;
        await h.Dispatcher.DeliverDueAsync();

        var n = Assert.Single(h.Outbox.GetPending());
        Assert.Equal(1, n.Attempts);
        Assert.True(n.NextAttemptAt >= before.AddSeconds(119), $"next attempt {n.NextAttemptAt:O}");
        Assert.Contains("503", n.LastError, StringComparison.Ordinal);
        Assert.Equal(0, await h.Dispatcher.DeliverDueAsync());
    }

    [Fact]
    public async Task Gone_410_disables_the_endpoint_and_dead_letters_its_queue()
    {
        await using var receiver = await Receiver.StartAsync(410);
        await using var other = await Receiver.StartAsync(200);
        await using var h = new Harness(
        [
            new WebhookEndpointOptions { Name = "gone", Url = receiver.Url },
            new WebhookEndpointOptions { Name = "ok", Url = other.Url },
        ]);
        var log = new ListLogger();
        var dispatcher = new WebhookDispatcher(h.Outbox, h.Options, h.Endpoints, h.Http, logger: log);
        h.Publish(TestAlerts.Firing(device: "a"), TestAlerts.Firing(device: "b"));
        await dispatcher.DeliverDueAsync();
        h.Publish(TestAlerts.Firing(device: "c"));
        await dispatcher.DeliverDueAsync();

        Assert.Single(receiver.Requests);
        Assert.Equal(3, other.Requests.Count);
        var state = Assert.Single(h.Status.GetEndpoints(), e => e.Name == "gone");
        Assert.True(state.Disabled);
        Assert.Contains("410", state.DisabledReason, StringComparison.Ordinal);
        Assert.Equal(2, state.DeadLetters);
        Assert.Equal(0, state.Pending);
        Assert.Equal(2, h.Outbox.GetDeadLetters().Count(d => d.Endpoint == "gone"));
        Assert.Equal(0, h.Outbox.CountPending());
        var loud = Assert.Single(log.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Critical);
        Assert.Contains("WEBHOOK ENDPOINT DISABLED: gone", loud.Message, StringComparison.Ordinal);
        Assert.Contains("410", loud.Message, StringComparison.Ordinal);

        // Enabling it again (the operator fixed the receiver) lets a retried dead letter through.
        Assert.True(h.Status.EnableEndpoint("gone"));
    }

    [Fact]
    public async Task Other_4xx_is_not_retried()
    {
        await using var receiver = await Receiver.StartAsync(400, 200);
        await using var h = new Harness([new WebhookEndpointOptions { Name = "ops", Url = receiver.Url }]);
        h.Publish(TestAlerts.Firing());
        Assert.Equal(1, await h.Dispatcher.DeliverDueAsync());
        await Task.Delay(300);
        Assert.Equal(0, await h.Dispatcher.DeliverDueAsync());

        Assert.Single(receiver.Requests);
        var dead = Assert.Single(h.Outbox.GetDeadLetters());
        Assert.Contains("HTTP 400", dead.Reason, StringComparison.Ordinal);
        Assert.Equal(1, dead.Attempts);
    }

    [Fact]
    public async Task Slow_receiver_beyond_the_timeout_is_retried()
    {
        await using var receiver = await Receiver.StartAsync(async (call, ctx) =>
        {
            if (call == 1)
            {
                // Far beyond the timeout: had the attempt not been cut, it would end Delivered, not Retry.
                await Task.Delay(TimeSpan.FromSeconds(60), ctx.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            }

            ctx.Response.StatusCode = 200;
        });
        await using var h = new Harness([new WebhookEndpointOptions { Name = "ops", Url = receiver.Url, Timeout = TimeSpan.FromSeconds(2) }]);
        h.Publish(TestAlerts.Firing());
        Assert.Equal(DeliveryOutcome.Retry, await h.Dispatcher.AttemptAsync(h.Outbox.GetPending()[0]).WaitAsync(TimeSpan.FromSeconds(30)));
        var n = Assert.Single(h.Outbox.GetPending());
        Assert.Contains("no response within 2 s", n.LastError, StringComparison.Ordinal);

        var second = await h.Dispatcher.AttemptAsync(h.Outbox.GetPending()[0]);
        Assert.True(second == DeliveryOutcome.Delivered, h.Outbox.GetPending().FirstOrDefault()?.LastError);
        Assert.Equal(2, receiver.Requests.Count);
        Assert.Equal(0, h.Outbox.CountPending());
    }

    [Fact]
    public async Task Connection_reset_is_retried_and_then_delivered()
    {
        // A hand-written server: the first connection is reset (RST) after the request arrives, the second gets 200.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var ids = new List<string>();
        var server = Task.Run(async () =>
        {
            for (var i = 0; i < 2; i++)
            {
                using var client = await listener.AcceptTcpClientAsync();
                var stream = client.GetStream();
                var request = await ReadRequestAsync(stream);
                ids.Add(request.Split("\r\n").First(l => l.StartsWith("webhook-id:", StringComparison.OrdinalIgnoreCase))[11..].Trim());
                if (i == 0)
                {
                    client.Client.LingerState = new LingerOption(true, 0);
                    client.Client.Close();
                }
                else
                {
                    await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
                }
            }
        });
        await using var h = new Harness([new WebhookEndpointOptions { Name = "ops", Url = $"http://127.0.0.1:{port}/hook" }]);
        h.Publish(TestAlerts.Firing());

        Assert.Equal(DeliveryOutcome.Retry, await h.Dispatcher.AttemptAsync(h.Outbox.GetPending()[0]));
        Assert.NotNull(h.Outbox.GetPending()[0].LastError);
        await Task.Delay(150);
        Assert.Equal(DeliveryOutcome.Delivered, await h.Dispatcher.AttemptAsync(h.Outbox.GetPending()[0]));
        await server.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(2, ids.Count);
        Assert.Equal(ids[0], ids[1]);
    }

    [Fact]
    public async Task Exhausted_schedule_goes_to_dead_letters_and_retry_resends_with_the_same_webhook_id()
    {
        var fail = true;
        await using var receiver = await Receiver.StartAsync((call, ctx) =>
        {
            ctx.Response.StatusCode = Volatile.Read(ref fail) ? 502 : 204;
            return Task.CompletedTask;
        });
        await using var h = new Harness([new WebhookEndpointOptions { Name = "ops", Url = receiver.Url }], configure: o => o.BreakerMinimumThroughput = 100);
        h.StartDelivery();
        h.Publish(TestAlerts.Firing());
        await Eventually.UntilAsync(() => h.Outbox.CountDeadLetters() == 1, TimeSpan.FromSeconds(10), "the dead letter");

        Assert.Equal(4, receiver.Requests.Count); // first attempt + 3 scheduled retries
        var dead = Assert.Single(h.Status.GetDeadLetters());
        Assert.Equal(4, dead.Attempts);
        Assert.Contains("gave up after 4 attempts", dead.Reason, StringComparison.Ordinal);

        using (var list = new StringWriter())
        {
            Assert.Equal(0, AlertCommands.DeadLetterList(h.Options.OutboxPath, list));
            Assert.Contains(dead.WebhookId, list.ToString(), StringComparison.Ordinal);
            Assert.Contains("HTTP 502", list.ToString(), StringComparison.Ordinal);
        }

        Volatile.Write(ref fail, false);
        using var output = new StringWriter();
        Assert.Equal(0, AlertCommands.DeadLetterRetry(h.Options.OutboxPath, dead.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), output));
        Assert.Contains("requeued", output.ToString(), StringComparison.Ordinal);
        await Eventually.UntilAsync(() => receiver.Requests.Count == 5 && h.Outbox.CountPending() == 0, TimeSpan.FromSeconds(10), "the retried delivery");
        Assert.All(receiver.Requests, r => Assert.Equal(dead.WebhookId, r.WebhookId));
        Assert.Equal(0, h.Outbox.CountDeadLetters());
    }

    [Fact]
    public async Task A_resolve_never_overtakes_its_firing()
    {
        var calls = 0;
        await using var receiver = await Receiver.StartAsync((call, ctx) =>
        {
            Interlocked.Increment(ref calls);
            ctx.Response.StatusCode = call == 1 ? 500 : 200;
            return Task.CompletedTask;
        });
        await using var h = new Harness([new WebhookEndpointOptions { Name = "ops", Url = receiver.Url }],
            configure: o => o.RetrySchedule = [TimeSpan.FromMinutes(10)]);
        var firing = TestAlerts.Firing();
        h.Publish(firing);
        await h.Dispatcher.DeliverDueAsync(); // 500: the firing now waits 10 minutes
        await Task.Delay(250);
        h.Publish(TestAlerts.Resolved(firing, firing.StartsAt.AddMinutes(1))); // group_interval (200 ms) has passed: resolve enqueued
        Assert.Equal(2, h.Outbox.CountPending());

        Assert.Equal(0, await h.Dispatcher.DeliverDueAsync());
        Assert.Equal(1, calls);
        Assert.Empty(h.Outbox.GetDue(DateTimeOffset.UtcNow));

        // Once the firing goes through (its retry becomes due), the resolve follows it.
        var pendingFiring = h.Outbox.GetPending().First();
        h.Outbox.Reschedule(pendingFiring.Id, DateTimeOffset.UtcNow, pendingFiring.Attempts, "test: due now");
        await h.Dispatcher.DeliverDueAsync();
        await h.Dispatcher.DeliverDueAsync();
        var statuses = receiver.Requests.OrderBy(r => r.Call).Select(r => r.Json.GetProperty("status").GetString()).ToList();
        Assert.Equal(["firing", "firing", "resolved"], statuses);
    }

    [Fact]
    public async Task A_dead_receiver_does_not_slow_the_others()
    {
        var release = new TaskCompletionSource();
        await using var hanging = await Receiver.StartAsync(async (call, ctx) =>
        {
            await Task.WhenAny(release.Task, Task.Delay(TimeSpan.FromSeconds(20), ctx.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default));
            ctx.Response.StatusCode = 200;
        });
        await using var healthy = await Receiver.StartAsync(200);
        await using var h = new Harness(
        [
            new WebhookEndpointOptions { Name = "hanging", Url = hanging.Url, Timeout = TimeSpan.FromSeconds(10) },
            new WebhookEndpointOptions { Name = "healthy", Url = healthy.Url },
        ]);
        h.StartDelivery();
        for (var i = 0; i < 5; i++)
        {
            h.Publish(TestAlerts.Firing(device: $"d{i}"));
        }

        await Eventually.UntilAsync(() => healthy.Answered.Count == 5, TimeSpan.FromSeconds(8), "the healthy receiver's five notifications (well before the hanging one times out at 10 s)");
        Assert.Single(hanging.Requests);
        release.SetResult();
    }

    [Fact]
    public async Task Circuit_breaker_opens_after_repeated_failures_and_holds_attempts_back()
    {
        await using var receiver = await Receiver.StartAsync(500, 500, 500, 500, 500, 500, 500, 500);
        await using var h = new Harness([new WebhookEndpointOptions { Name = "ops", Url = receiver.Url }], configure: o =>
        {
            o.BreakerMinimumThroughput = 2;
            o.BreakerFailureRatio = 0.5;
            o.BreakerBreakDuration = TimeSpan.FromMinutes(1);
            o.RetrySchedule = [TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(1)];
        });
        for (var i = 0; i < 4; i++)
        {
            h.Publish(TestAlerts.Firing(device: $"d{i}"));
        }

        var outcomes = new List<DeliveryOutcome>();
        foreach (var n in h.Outbox.GetPending())
        {
            outcomes.Add(await h.Dispatcher.AttemptAsync(n));
        }

        Assert.Equal([DeliveryOutcome.Retry, DeliveryOutcome.Retry, DeliveryOutcome.CircuitOpen, DeliveryOutcome.CircuitOpen], outcomes);
        Assert.Equal(2, receiver.Requests.Count);
        // Held-back notifications keep their attempt count and wait for the break to end.
        var held = h.Outbox.GetPending().Where(n => n.Attempts == 0).ToList();
        Assert.Equal(2, held.Count);
        Assert.All(held, n => Assert.True(n.NextAttemptAt > DateTimeOffset.UtcNow.AddSeconds(50)));
    }

    private static async Task<string> ReadRequestAsync(NetworkStream stream)
    {
        var buffer = new byte[64 * 1024];
        var total = 0;
        while (true)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(total));
            if (read == 0)
            {
                break;
            }

            total += read;
            var text = Encoding.UTF8.GetString(buffer, 0, total);
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                var lengthLine = text[..end].Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
                var length = lengthLine is null ? 0 : int.Parse(lengthLine[15..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
                if (total >= end + 4 + length)
                {
                    return text;
                }
            }
        }

        return Encoding.UTF8.GetString(buffer, 0, total);
    }
}
