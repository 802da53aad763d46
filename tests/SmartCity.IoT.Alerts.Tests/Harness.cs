using Microsoft.Extensions.Logging.Abstractions;
using SmartCity.IoT.Alerts.Delivery;
using SmartCity.IoT.Alerts.Options;
using SmartCity.IoT.Alerts.Outbox;
using SmartCity.IoT.Alerts.Routing;
using SmartCity.IoT.Core.Alerting;

namespace SmartCity.IoT.Alerts.Tests;

/// <summary>Outbox + publisher + router + dispatcher wired as AddAlertDelivery does, on a temp SQLite file.</summary>
internal sealed class Harness : IAsyncDisposable
{
    private readonly TempDir _dir = new();
    private readonly CancellationTokenSource _cts = new();
    private Task? _running;

    public Harness(IEnumerable<WebhookEndpointOptions> endpoints, TimeProvider? time = null, Action<AlertsOptions>? configure = null, string? outboxPath = null)
    {
        Time = time ?? TimeProvider.System;
        Options = new AlertsOptions
        {
            OutboxPath = outboxPath ?? _dir.Sub("alerts.db"),
            ExternalUrl = "http://status.example:8080",
            GroupWait = TimeSpan.Zero,
            GroupInterval = TimeSpan.FromMilliseconds(200),
            RepeatInterval = TimeSpan.FromHours(4),
            RetrySchedule = [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(100)],
            RetryJitter = 0,
            PollInterval = TimeSpan.FromMilliseconds(50),
            DeliveryTimeout = TimeSpan.FromSeconds(5),
        };
        configure?.Invoke(Options);
        Endpoints = endpoints.Select((e, i) => new WebhookEndpoint(WebhookEndpoint.NameOf(e, i), e, Options)).ToArray();
        Outbox = new AlertOutbox(Options.OutboxPath, Time);
        Publisher = new OutboxAlertPublisher(Outbox, NullLogger<OutboxAlertPublisher>.Instance);
        Router = new AlertRouter(Outbox, Options, Endpoints, Time);
        Http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = Timeout.InfiniteTimeSpan };
        Dispatcher = new WebhookDispatcher(Outbox, Options, Endpoints, Http, Time);
        Status = new AlertStatusService(Outbox, Options, Endpoints, Time);
    }

    public TimeProvider Time { get; }

    public AlertsOptions Options { get; }

    public IReadOnlyList<WebhookEndpoint> Endpoints { get; }

    public AlertOutbox Outbox { get; }

    public OutboxAlertPublisher Publisher { get; }

    public AlertRouter Router { get; }

    public WebhookDispatcher Dispatcher { get; }

    public AlertStatusService Status { get; }

    public HttpClient Http { get; }

    /// <summary>Publishes and routes (inbox → groups → due flushes) without delivering.</summary>
    public void Publish(params Alert[] alerts)
    {
        foreach (var a in alerts)
        {
            Publisher.Publish(a);
        }

        Route();
    }

    public int Route()
    {
        Router.ProcessInbox();
        return Router.FlushDue();
    }

    /// <summary>Starts the dispatcher's per-endpoint loops in the background (real time).</summary>
    public void StartDelivery() => _running = Task.Run(() => Dispatcher.RunAsync(_cts.Token));

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        if (_running is not null)
        {
            try
            {
                await _running.WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (OperationCanceledException)
            {
            }
        }

        Http.Dispose();
        _cts.Dispose();
        // Pooled connections would keep the deleted file open for the rest of the run.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }
}
