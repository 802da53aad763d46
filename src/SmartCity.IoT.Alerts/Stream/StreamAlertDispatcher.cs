using System.Globalization;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using SmartCity.IoT.Alerts.Delivery;
using SmartCity.IoT.Alerts.Formats;
using SmartCity.IoT.Alerts.Options;
using SmartCity.IoT.Alerts.Outbox;
using SmartCity.IoT.Alerts.Routing;
using SmartCity.IoT.Alerts.Signing;
using SmartCity.IoT.Core.Resilience;

namespace SmartCity.IoT.Alerts.Stream;

/// <summary>
/// Delivers what the alert stream holds, from whichever instance runs it: durable consumers shared by every instance,
/// one at a time each, so a transition is routed once and a notification is attempted by one instance at a time, in order.
/// <list type="bullet">
/// <item>Route: each transition becomes, per endpoint that takes it (matchers, minimum severity, <c>SendResolved</c>),
/// a notification in the endpoint's format with its webhook id, published to <c>notify.&lt;endpoint&gt;</c> (id as
/// <c>Nats-Msg-Id</c>, so routing it again after a crash adds nothing); then the transition is acknowledged.</item>
/// <item>Deliver: per endpoint, a signed POST (Standard Webhooks, the same <c>webhook-id</c> on every attempt); acknowledged
/// after a 2xx; a retryable failure is NAKed with the retry schedule's delay and redelivered by the server (to any
/// instance); after the schedule's attempts, or on an answer that retrying cannot fix, it moves to <c>dead.&lt;endpoint&gt;</c>.
/// An instance that dies mid-attempt leaves the message unacknowledged: the server redelivers it after the ack wait.</item>
/// </list>
/// </summary>
internal sealed class StreamAlertDispatcher : BackgroundService
{
    private const string ContentTypeHeader = "Content-Type";
    private const string ReasonHeader = "SmartCity-Reason";

    private readonly AlertStream _stream;
    private readonly AlertsOptions _alerts;
    private readonly IReadOnlyList<WebhookEndpoint> _endpoints;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly ILogger<StreamAlertDispatcher> _logger;
    private readonly Func<double> _random;
    private readonly Backoff _reconnect = new(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), jitter: 0.5);

    public StreamAlertDispatcher(AlertStream stream, AlertsOptions alerts, IReadOnlyList<WebhookEndpoint> endpoints, HttpClient http, TimeProvider time, ILogger<StreamAlertDispatcher> logger, Func<double>? random = null)
    {
        _stream = stream;
        _alerts = alerts;
        _endpoints = endpoints;
        _http = http;
        _time = time;
        _logger = logger;
        _random = random ?? Random.Shared.NextDouble;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll([
            Task.Run(() => LoopAsync("route", RouteAsync, stoppingToken), CancellationToken.None),
            .. _endpoints.Select(e => Task.Run(() => LoopAsync("deliver:" + e.Name, ct => DeliverAsync(e, ct), stoppingToken), CancellationToken.None)),
        ]);

    private async Task LoopAsync(string name, Func<CancellationToken, Task> run, CancellationToken ct)
    {
        var attempt = 0;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await run(ct).ConfigureAwait(false);
                attempt = 0;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is NatsException or TimeoutException or InvalidOperationException)
            {
                var delay = _reconnect.Delay(++attempt);
                Log.LoopFailed(_logger, "alert stream " + name, delay, ex);
                try
                {
                    await Task.Delay(delay, _time, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    private async Task RouteAsync(CancellationToken ct)
    {
        var js = await _stream.ReadyAsync(ct).ConfigureAwait(false);
        var consumer = await js.CreateOrUpdateConsumerAsync(_stream.Options.AlertsStream, new ConsumerConfig(_stream.Options.AlertsConsumer + "-route")
        {
            FilterSubject = _stream.Subjects.Transition,
            AckPolicy = ConsumerConfigAckPolicy.Explicit,
            AckWait = TimeSpan.FromSeconds(30),
            MaxAckPending = 1, // in order: a resolve is never routed before its firing
            DeliverPolicy = ConsumerConfigDeliverPolicy.All,
        }, ct).ConfigureAwait(false);
        await foreach (var msg in consumer.ConsumeAsync(NatsRawSerializer<byte[]>.Default, new NatsJSConsumeOpts { MaxMsgs = 1 }, ct).ConfigureAwait(false))
        {
            Core.Alerting.Alert alert;
            try
            {
                alert = AlertJson.Deserialize(Encoding.UTF8.GetString(msg.Data ?? []));
            }
            catch (System.Text.Json.JsonException ex)
            {
                Log.InboxRowUnreadable(_logger, (long)(msg.Metadata?.Sequence.Stream ?? 0), ex.Message);
                await msg.AckTerminateAsync(cancellationToken: ct).ConfigureAwait(false);
                continue;
            }

            var transition = AlertSubjects.TransitionId(alert);
            var tracked = new TrackedAlert(alert, null, null, null);
            var labels = AlertLabels.For(alert);
            foreach (var endpoint in _endpoints)
            {
                if (!endpoint.Accepts(alert, labels) || (!tracked.IsFiring && !endpoint.Options.SendResolved))
                {
                    continue;
                }

                var (key, groupLabels) = AlertRouter.GroupKey(endpoint, alert, labels);
                var notification = new GroupNotification(endpoint.Name, key, groupLabels, [tracked], _alerts.ExternalUrl);
                var body = NotificationFormatter.Format(endpoint.Options.Format, notification, endpoint.Options.Template, endpoint.Options.TextProperty);
                var webhookId = AlertSubjects.WebhookId(endpoint.Name, transition);
                var headers = new NatsHeaders { [WebhookSigner.IdHeader] = webhookId, [ContentTypeHeader] = NotificationFormatter.JsonContentType };
                await _stream.PublishAsync(_stream.Subjects.Notify(endpoint.Name), body, webhookId, headers, ct).ConfigureAwait(false);
                Log.GroupEnqueued(_logger, endpoint.Name, key, notification.Status, 1);
            }

            await msg.AckAsync(new AckOpts { DoubleAck = true }, ct).ConfigureAwait(false);
        }
    }

    private async Task DeliverAsync(WebhookEndpoint endpoint, CancellationToken ct)
    {
        var js = await _stream.ReadyAsync(ct).ConfigureAwait(false);
        var consumer = await js.CreateOrUpdateConsumerAsync(_stream.Options.AlertsStream, new ConsumerConfig(_stream.Options.AlertsConsumer + "-to-" + AlertSubjects.Token(endpoint.Name))
        {
            FilterSubject = _stream.Subjects.Notify(endpoint.Name),
            AckPolicy = ConsumerConfigAckPolicy.Explicit,
            // Longer than one attempt can take: an instance that dies mid-attempt is replaced after this.
            AckWait = endpoint.Timeout + TimeSpan.FromSeconds(5),
            MaxAckPending = 1, // one attempt at a time per endpoint, across instances: in order, firing before resolve
            DeliverPolicy = ConsumerConfigDeliverPolicy.All,
        }, ct).ConfigureAwait(false);
        await foreach (var msg in consumer.ConsumeAsync(NatsRawSerializer<byte[]>.Default, new NatsJSConsumeOpts { MaxMsgs = 1 }, ct).ConfigureAwait(false))
        {
            var attempt = (int)(msg.Metadata?.NumDelivered ?? 1);
            var webhookId = msg.Headers?[WebhookSigner.IdHeader].ToString() ?? "";
            var contentType = msg.Headers?.TryGetValue(ContentTypeHeader, out var type) == true ? type.ToString() : NotificationFormatter.JsonContentType;
            var body = msg.Data ?? [];
            var (code, error, retryAfter) = await AttemptAsync(endpoint, webhookId, contentType, body, ct).ConfigureAwait(false);
            if (code is >= 200 and < 300)
            {
                await msg.AckAsync(new AckOpts { DoubleAck = true }, ct).ConfigureAwait(false);
                Log.Delivered(_logger, webhookId, endpoint.Name, code, attempt);
                continue;
            }

            var retryable = code == 0 || WebhookRequest.IsRetryable(code);
            if (retryable && attempt <= _alerts.EffectiveSchedule.Count)
            {
                var delay = WebhookRequest.RetryDelay(_alerts, attempt, retryAfter, _random());
                await msg.NakAsync(new AckOpts { NakDelay = delay }, ct).ConfigureAwait(false);
                Log.AttemptFailed(_logger, webhookId, endpoint.Name, attempt, error, _time.GetUtcNow() + delay);
                continue;
            }

            var reason = retryable ? $"gave up after {attempt} attempts; last: {error}" : $"{error}: not retried (the receiver rejected the request)";
            var headers = new NatsHeaders
            {
                [WebhookSigner.IdHeader] = webhookId,
                [ContentTypeHeader] = contentType,
                [ReasonHeader] = reason,
                ["SmartCity-Attempts"] = attempt.ToString(CultureInfo.InvariantCulture),
            };
            await _stream.PublishAsync(_stream.Subjects.Dead(endpoint.Name), body, "dead-" + webhookId, headers, ct).ConfigureAwait(false);
            await msg.AckAsync(new AckOpts { DoubleAck = true }, ct).ConfigureAwait(false);
            Log.DeadLettered(_logger, webhookId, endpoint.Name, attempt, reason, (long)(msg.Metadata?.Sequence.Stream ?? 0));
        }
    }

    /// <summary>One signed POST: the status code (0 when there was no answer), what went wrong, and the receiver's Retry-After.</summary>
    private async Task<(int Code, string Error, TimeSpan? RetryAfter)> AttemptAsync(WebhookEndpoint endpoint, string webhookId, string contentType, byte[] body, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        using var request = WebhookRequest.Create(endpoint, webhookId, contentType, body, now);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(endpoint.Timeout);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            var code = (int)response.StatusCode;
            return (code, endpoint.Scrub($"HTTP {code} {response.ReasonPhrase}".TrimEnd()), WebhookRequest.RetryAfter(response, now));
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (0, $"no response within {endpoint.Timeout.TotalSeconds:0.###} s", null);
        }
        catch (HttpRequestException ex)
        {
            // HttpClient's messages may quote the request URL, which can hold the endpoint's credential.
            return (0, endpoint.Scrub(ex.InnerException is { } inner ? $"{ex.Message} ({inner.Message})" : ex.Message), null);
        }
    }
}
