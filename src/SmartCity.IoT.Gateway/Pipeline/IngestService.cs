using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Core.Pipeline;
using SmartCity.IoT.Devices;
using SmartCity.IoT.Gateway.Hosting;
using SmartCity.IoT.Rules.Loading;

namespace SmartCity.IoT.Gateway.Pipeline;

/// <summary>
/// Owns the pipeline's lifecycle in the order that keeps the delivery guarantee: restore rule state, adopt the alerts the
/// outbox says are firing (the checkpoint may be older than the outbox after a crash), start the writer,
/// start every source; on stop, flush and acknowledge what is durable while the sources are still connected, then stop
/// them (an MQTT source keeps its session), drain the writer and checkpoint the rules.
/// </summary>
internal sealed partial class IngestService : BackgroundService
{
    private static readonly TimeSpan TickPeriod = TimeSpan.FromMilliseconds(25);
    private static readonly TimeSpan WriterDrain = TimeSpan.FromSeconds(10);

    private readonly IngestPipeline _pipeline;
    private readonly IMessageSource[] _sources;
    private readonly RuleCheckpointFile _checkpoints;
    private readonly DeviceCatalog _catalog;
    private readonly GatewayOptions _options;
    private readonly ILogger<IngestService> _logger;
    private readonly TimeProvider _time;
    private readonly FiringAlertAdopter _adopter;
    private readonly RuleReloadStatus? _reloads;

    public IngestService(IngestPipeline pipeline, IEnumerable<IMessageSource> sources, RuleCheckpointFile checkpoints, DeviceCatalog catalog, IOptions<GatewayOptions> options, ILogger<IngestService> logger, TimeProvider time, IEnumerable<IFiringAlertSource> firing, RuleReloadStatus? reloads = null)
    {
        _reloads = reloads;
        _pipeline = pipeline;
        _sources = sources.ToArray();
        _checkpoints = checkpoints;
        _catalog = catalog;
        _options = options.Value;
        _logger = logger;
        _time = time;
        _adopter = new FiringAlertAdopter(pipeline, firing.FirstOrDefault(), logger);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await _checkpoints.RestoreAsync(stoppingToken).ConfigureAwait(false);
        await _adopter.AdoptAsync(stoppingToken).ConfigureAwait(false);

        using var writerStop = new CancellationTokenSource();
        var writer = Task.Run(() => _pipeline.RunWriterAsync(writerStop.Token), CancellationToken.None);
        using var sourcesStop = new CancellationTokenSource();
        var subscription = _catalog.Decoder.Router.Subscription;
        var sources = _sources.Select(s => Task.Run(() => RunSourceAsync(s, subscription, sourcesStop.Token), CancellationToken.None)).ToArray();
        using var watcher = StartRuleWatcher(stoppingToken);
        var ticks = TickLoopAsync(stoppingToken);

        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, _time, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }

        await ticks.ConfigureAwait(false);
        using (var flushTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
        {
            try
            {
                await _pipeline.FlushAsync(flushTimeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Log.FlushTimedOut(_logger);
            }
        }

        await sourcesStop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(sources).ConfigureAwait(false);
        _pipeline.Complete();
        // A sink or the alert outbox that takes nothing (a full spool, a broken disk) must not keep the process from
        // stopping: what is not durable by then stays unacknowledged at its source for the next start.
        writerStop.CancelAfter(WriterDrain);
        try
        {
            await writer.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Log.WriterAbandoned(_logger, WriterDrain);
        }

        await _checkpoints.SaveAsync(CancellationToken.None).ConfigureAwait(false);
    }

    private async Task RunSourceAsync(IMessageSource source, SourceSubscription subscription, CancellationToken cancellationToken)
    {
        try
        {
            await source.RunAsync(subscription, _pipeline, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception ex)
        {
            // A source that dies leaves its messages unacknowledged for redelivery; the others go on.
            Log.SourceFailed(_logger, source.Name, ex);
        }
    }

    private async Task TickLoopAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TickPeriod, _time);
        var lastRules = _time.GetTimestamp();
        var lastCheckpoint = lastRules;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                var now = _time.GetTimestamp();
                var runRules = _time.GetElapsedTime(lastRules, now) >= TimeSpan.FromSeconds(1);
                if (runRules)
                {
                    lastRules = now;
                }

                await _pipeline.TickAsync(runRules, stoppingToken).ConfigureAwait(false);
                if (_time.GetElapsedTime(lastCheckpoint, now) >= _options.RulesCheckpointInterval)
                {
                    lastCheckpoint = now;
                    await _checkpoints.SaveAsync(stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private RuleDirectoryWatcher? StartRuleWatcher(CancellationToken stoppingToken)
    {
        var path = GatewayPaths.Resolve(_options.RulesPath);
        if (!Directory.Exists(path))
        {
            return null;
        }

        return new RuleDirectoryWatcher(
            path,
            _catalog.Vocabulary,
            rules => _ = ReloadAsync(rules, path, stoppingToken),
            errors =>
            {
                _reloads?.Failed(errors);
                foreach (var error in errors)
                {
                    Log.RulesReloadFailed(_logger, error.ToString());
                }
            });
    }

    private async Task ReloadAsync(Rules.Model.RuleSet rules, string path, CancellationToken stoppingToken)
    {
        try
        {
            await _pipeline.WithEngineAsync(e => e.Reload(rules), stoppingToken).ConfigureAwait(false);
            _reloads?.Succeeded();
            Log.RulesReloaded(_logger, rules.Count, path);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception ex)
        {
            _reloads?.Failed([new Core.Loading.Diagnostic(path, 0, 0, ex.Message)]);
            Log.RulesReloadFailed(_logger, ex.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 300, Level = LogLevel.Warning, Message = "Flush at shutdown timed out; unacknowledged messages stay at their source for the next start")]
        public static partial void FlushTimedOut(ILogger logger);

        [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Reloaded {Count} rules from {Path}")]
        public static partial void RulesReloaded(ILogger logger, int count, string path);

        [LoggerMessage(EventId = 302, Level = LogLevel.Error, Message = "Rule reload rejected, the previous rules keep running: {Error}")]
        public static partial void RulesReloadFailed(ILogger logger, string error);

        [LoggerMessage(EventId = 306, Level = LogLevel.Warning, Message = "Batches still not durable {Drain} after the sources stopped; they stay unacknowledged for the next start")]
        public static partial void WriterAbandoned(ILogger logger, TimeSpan drain);

        [LoggerMessage(EventId = 305, Level = LogLevel.Error, Message = "Source {Source} stopped with an error; its unacknowledged messages wait for the next start")]
        public static partial void SourceFailed(ILogger logger, string source, Exception exception);

    }
}
