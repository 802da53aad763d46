using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;
using SmartCity.IoT.Alerts.Options;
using SmartCity.IoT.Alerts.Outbox;
using SmartCity.IoT.Alerts.Routing;

namespace SmartCity.IoT.Alerts.Delivery;

/// <summary>
/// Delivers stored notifications. One loop per endpoint, so a slow or dead receiver only delays its own queue; each endpoint has a
/// Polly circuit breaker and a per-attempt timeout. The retry schedule lives in the outbox (next attempt time per notification),
/// so retries survive restarts and no thread waits through a long backoff.
/// </summary>
internal sealed class WebhookDispatcher
{
    private readonly AlertOutbox _outbox;
    private readonly AlertsOptions _options;
    private readonly IReadOnlyList<WebhookEndpoint> _endpoints;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly Func<double> _random;
    private readonly Dictionary<string, ResiliencePipeline<HttpResponseMessage>> _pipelines = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Signal> _signals = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, DateTimeOffset> _circuitOpenUntil = new(StringComparer.Ordinal);

    public WebhookDispatcher(AlertOutbox outbox, AlertsOptions options, IReadOnlyList<WebhookEndpoint> endpoints, HttpClient http,
        TimeProvider? timeProvider = null, ILogger? logger = null, Func<double>? random = null)
    {
        _outbox = outbox ?? throw new ArgumentNullException(nameof(outbox));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _endpoints = endpoints ?? throw new ArgumentNullException(nameof(endpoints));
        _http = http ?? throw new ArgumentNullException(nameof(http));
        _time = timeProvider ?? TimeProvider.System;
        _log = logger ?? NullLogger.Instance;
        _random = random ?? Random.Shared.NextDouble;
        foreach (var e in endpoints)
        {
            _pipelines[e.Name] = BuildPipeline(e);
            _signals[e.Name] = new Signal();
            AlertMetrics.RegisterEndpoint(e.Name);
        }

        _outbox.NotificationEnqueued += WakeAll;
    }

    /// <summary>Registers the endpoints in the outbox and dead-letters notifications for endpoints no longer configured.</summary>
    public void Prepare()
    {
        _outbox.SyncEndpoints(_endpoints.Select(e => (e.Name, e.Url)));
        var configured = _endpoints.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var group in _outbox.GetPending(int.MaxValue).Where(n => !configured.Contains(n.Endpoint)).GroupBy(n => n.Endpoint))
        {
            foreach (var n in group)
            {
                _outbox.MoveToDeadLetter(n.Id, n.Attempts, $"endpoint '{n.Endpoint}' is no longer configured");
            }

            Log.OrphanedNotifications(_log, group.Key, group.Count());
        }

        AlertMetrics.UpdateDepth(_outbox);
    }

    /// <summary>Runs one delivery loop per endpoint until cancelled.</summary>
    public Task RunAsync(CancellationToken ct)
    {
        Prepare();
        return Task.WhenAll(_endpoints.Select(e => Task.Run(() => EndpointLoopAsync(e, ct), CancellationToken.None)));
    }

    /// <summary>One pass over every endpoint (in parallel): attempts every due notification once. Returns the attempts made.</summary>
    public async Task<int> DeliverDueAsync(CancellationToken ct = default)
    {
        var counts = await Task.WhenAll(_endpoints.Select(e => DeliverDueAsync(e, ct))).ConfigureAwait(false);
        AlertMetrics.UpdateDepth(_outbox);
        return counts.Sum();
    }

    /// <summary>Until when <paramref name="endpoint"/>'s circuit breaker holds attempts back, or null when it never opened.</summary>
    public DateTimeOffset? CircuitOpenUntil(string endpoint) => _circuitOpenUntil.TryGetValue(endpoint, out var until) ? until : null;

    /// <summary>Attempts one stored notification now and records the outcome in the outbox.</summary>
    public async Task<DeliveryOutcome> AttemptAsync(OutboxNotification n, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(n);
        var endpoint = _endpoints.FirstOrDefault(e => e.Name == n.Endpoint)
            ?? throw new InvalidOperationException($"notification {n.Id} is for unknown endpoint '{n.Endpoint}'");
        var attempt = n.Attempts + 1;
        var now = _time.GetUtcNow();
        using var request = WebhookRequest.Create(endpoint, n.WebhookId, n.ContentType, n.Body, now);

        var started = _time.GetTimestamp();
        HttpResponseMessage response;
        try
        {
            response = await _pipelines[endpoint.Name].ExecuteAsync(
                static async (state, token) => await state.Http.SendAsync(state.Request, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false),
                (Http: _http, Request: request), ct).ConfigureAwait(false);
        }
        catch (BrokenCircuitException ex)
        {
            var until = now + (ex.RetryAfter ?? _options.BreakerBreakDuration);
            _circuitOpenUntil[endpoint.Name] = until;
            _outbox.Reschedule(n.Id, until, n.Attempts, n.LastError ?? "circuit open");
            Log.CircuitOpen(_log, endpoint.Name, until);
            Record(endpoint, DeliveryOutcome.CircuitOpen, started, null);
            return DeliveryOutcome.CircuitOpen;
        }
        catch (TimeoutRejectedException)
        {
            return Fail(endpoint, n, attempt, $"no response within {endpoint.Timeout.TotalSeconds:0.###} s", null, started);
        }
        catch (HttpRequestException ex)
        {
            // HttpClient's messages may quote the request URL, which can hold the endpoint's credential.
            return Fail(endpoint, n, attempt, endpoint.Scrub(ex.InnerException is { } inner ? $"{ex.Message} ({inner.Message})" : ex.Message), null, started);
        }

        using (response)
        {
            var code = (int)response.StatusCode;
            var status = endpoint.Scrub($"HTTP {code} {response.ReasonPhrase}".TrimEnd());
            if (code is >= 200 and < 300)
            {
                _outbox.MarkDelivered(n.Id);
                Log.Delivered(_log, n.WebhookId, endpoint.Name, code, attempt);
                Record(endpoint, DeliveryOutcome.Delivered, started, code);
                RecordLatency(n);
                return DeliveryOutcome.Delivered;
            }

            if (code == 410)
            {
                var moved = _outbox.DisableEndpoint(endpoint.Name, $"{status} from {endpoint.DisplayUrl} at {now:O}");
                Log.EndpointGone(_log, endpoint.Name, endpoint.DisplayUrl, moved);
                Record(endpoint, DeliveryOutcome.Gone, started, code);
                return DeliveryOutcome.Gone;
            }

            if (WebhookRequest.IsRetryable(code))
            {
                return Fail(endpoint, n, attempt, status, WebhookRequest.RetryAfter(response, now), started);
            }

            // Other 4xx (and redirects, which are not followed): the receiver rejected this request; sending it again will not help.
            var reason = $"{status}: not retried (the receiver rejected the request)";
            _outbox.MoveToDeadLetter(n.Id, attempt, reason);
            Log.DeadLettered(_log, n.WebhookId, endpoint.Name, attempt, reason, n.Id);
            Record(endpoint, DeliveryOutcome.DeadLetter, started, code);
            return DeliveryOutcome.DeadLetter;
        }
    }

    /// <summary>The wait after failed attempt number <paramref name="attempt"/> (1-based): the schedule's step with jitter, never shorter than Retry-After.</summary>
    public TimeSpan RetryDelay(int attempt, TimeSpan? retryAfter) => WebhookRequest.RetryDelay(_options, attempt, retryAfter, _random());

    private DeliveryOutcome Fail(WebhookEndpoint endpoint, OutboxNotification n, int attempt, string error, TimeSpan? retryAfter, long started)
    {
        if (attempt > _options.EffectiveSchedule.Count)
        {
            var reason = $"gave up after {attempt} attempts; last: {error}";
            _outbox.MoveToDeadLetter(n.Id, attempt, reason);
            Log.DeadLettered(_log, n.WebhookId, endpoint.Name, attempt, reason, n.Id);
            Record(endpoint, DeliveryOutcome.DeadLetter, started, null);
            return DeliveryOutcome.DeadLetter;
        }

        var next = _time.GetUtcNow() + RetryDelay(attempt, retryAfter);
        _outbox.Reschedule(n.Id, next, attempt, error);
        Log.AttemptFailed(_log, n.WebhookId, endpoint.Name, attempt, error, next);
        Record(endpoint, DeliveryOutcome.Retry, started, null);
        return DeliveryOutcome.Retry;
    }

    private async Task<int> DeliverDueAsync(WebhookEndpoint endpoint, CancellationToken ct)
    {
        var attempts = 0;
        foreach (var n in _outbox.GetDue(_time.GetUtcNow(), endpoint.Name, 50))
        {
            ct.ThrowIfCancellationRequested();
            attempts++;
            var outcome = await AttemptAsync(n, ct).ConfigureAwait(false);
            if (outcome is DeliveryOutcome.CircuitOpen or DeliveryOutcome.Gone)
            {
                break;
            }
        }

        return attempts;
    }

    private async Task EndpointLoopAsync(WebhookEndpoint endpoint, CancellationToken ct)
    {
        var signal = _signals[endpoint.Name];
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var now = _time.GetUtcNow();
                if (_circuitOpenUntil.TryGetValue(endpoint.Name, out var until) && until > now)
                {
                    await Task.Delay(until - now, _time, ct).ConfigureAwait(false);
                    continue;
                }

                if (await DeliverDueAsync(endpoint, ct).ConfigureAwait(false) > 0)
                {
                    AlertMetrics.UpdateDepth(_outbox);
                    continue;
                }

                var wait = _options.PollInterval;
                if (_outbox.GetNextAttemptAt(endpoint.Name) is { } next && next - _time.GetUtcNow() < wait)
                {
                    wait = next - _time.GetUtcNow();
                }

                await signal.WaitAsync(wait, _time, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or IOException or InvalidOperationException or System.Text.Json.JsonException)
            {
                var delay = TimeSpan.FromSeconds(5);
                Log.LoopFailed(_log, "delivery:" + endpoint.Name, delay, ex);
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

    private ResiliencePipeline<HttpResponseMessage> BuildPipeline(WebhookEndpoint endpoint)
    {
        var failure = new PredicateBuilder<HttpResponseMessage>()
            .Handle<HttpRequestException>()
            .Handle<TimeoutRejectedException>()
            .HandleResult(r => (int)r.StatusCode >= 500 || (int)r.StatusCode is 408 or 429);
        return new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = _time, Name = "alerts-webhook", InstanceName = endpoint.Name }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = failure,
                FailureRatio = _options.BreakerFailureRatio,
                MinimumThroughput = _options.BreakerMinimumThroughput,
                SamplingDuration = _options.BreakerSamplingDuration,
                BreakDuration = _options.BreakerBreakDuration,
            })
            .AddTimeout(endpoint.Timeout)
            .Build();
    }

    /// <summary>
    /// Alert latency: from the newest transition the notification carries (the rule engine stamps it when the reading is
    /// processed) to now. Repeat reminders, created long after their transition, are not a latency and are left out.
    /// </summary>
    private void RecordLatency(OutboxNotification n)
    {
        DateTimeOffset? newest = null;
        foreach (var fingerprint in n.Fingerprints)
        {
            if (_outbox.GetAlert(fingerprint) is { } tracked && (newest is null || tracked.Alert.At > newest))
            {
                newest = tracked.Alert.At;
            }
        }

        if (newest is { } at && n.CreatedAt - at < TimeSpan.FromMinutes(5))
        {
            AlertMetrics.Latency.Record(Math.Max(0, (_time.GetUtcNow() - at).TotalSeconds));
        }
    }

    private void Record(WebhookEndpoint endpoint, DeliveryOutcome outcome, long started, int? statusCode)
    {
        var tags = new System.Diagnostics.TagList
        {
            { "endpoint", endpoint.Name },
            { "outcome", outcome switch
                {
                    DeliveryOutcome.Delivered => "delivered",
                    DeliveryOutcome.Retry => "retry",
                    DeliveryOutcome.DeadLetter => "dead_letter",
                    DeliveryOutcome.Gone => "gone",
                    _ => "circuit_open",
                }
            },
        };
        AlertMetrics.Deliveries.Add(1, tags);
        if (outcome != DeliveryOutcome.CircuitOpen)
        {
            AlertMetrics.Duration.Record(_time.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("endpoint", endpoint.Name),
                new KeyValuePair<string, object?>("status_code", statusCode));
        }
    }

    private void WakeAll()
    {
        foreach (var s in _signals.Values)
        {
            s.Set();
        }
    }
}
