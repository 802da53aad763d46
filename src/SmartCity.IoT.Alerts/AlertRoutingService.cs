using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SmartCity.IoT.Alerts.Delivery;
using SmartCity.IoT.Alerts.Routing;

namespace SmartCity.IoT.Alerts;

/// <summary>Drives the <see cref="AlertRouter"/>: recovers groups at start, then moves published alerts into groups and flushes due groups.</summary>
internal sealed class AlertRoutingService : BackgroundService
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);
    private readonly AlertRouter _router;
    private readonly TimeProvider _time;
    private readonly ILogger<AlertRoutingService> _log;
    private readonly Signal _signal = new();

    public AlertRoutingService(AlertRouter router, OutboxAlertPublisher publisher, TimeProvider timeProvider, ILogger<AlertRoutingService> logger)
    {
        ArgumentNullException.ThrowIfNull(publisher);
        _router = router ?? throw new ArgumentNullException(nameof(router));
        _time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _log = logger ?? throw new ArgumentNullException(nameof(logger));
        publisher.Published += _signal.Set;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var recovered = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!recovered)
                {
                    _router.Recover();
                    recovered = true;
                }

                _router.ProcessInbox();
                _router.FlushDue();
                var wait = Poll;
                if (_router.NextFlushAt is { } next && next - _time.GetUtcNow() < wait)
                {
                    wait = next - _time.GetUtcNow();
                }

                await _signal.WaitAsync(wait, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or IOException or InvalidOperationException or FormatException or System.Text.Json.JsonException)
            {
                var delay = TimeSpan.FromSeconds(5);
                Log.LoopFailed(_log, "routing", delay, ex);
                try
                {
                    await Task.Delay(delay, _time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }
}
