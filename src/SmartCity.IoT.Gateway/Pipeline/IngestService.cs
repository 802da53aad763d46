using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SmartCity.IoT.Devices;
using SmartCity.IoT.Gateway.Hosting;
using SmartCity.IoT.Mqtt;
using SmartCity.IoT.Rules.Engine;
using SmartCity.IoT.Rules.Loading;
using SmartCity.IoT.Rules.Model;

namespace SmartCity.IoT.Gateway.Pipeline;

/// <summary>
/// Owns the pipeline's lifecycle in the order that keeps the delivery guarantee: restore rule state, start the writer,
/// connect; on stop, flush and acknowledge what is durable while still connected, then disconnect (keeping the session),
/// drain the writer and checkpoint the rules.
/// </summary>
public sealed partial class IngestService : BackgroundService
{
    private static readonly TimeSpan TickPeriod = TimeSpan.FromMilliseconds(25);

    private readonly MemoryStream _checkpointBuffer = new();
    private readonly IngestPipeline _pipeline;
    private readonly MqttIngestClient _client;
    private readonly DeviceCatalog _catalog;
    private readonly GatewayOptions _options;
    private readonly ActiveRuleSet _rules;
    private readonly ILogger<IngestService> _logger;
    private readonly TimeProvider _time;

    public IngestService(IngestPipeline pipeline, MqttIngestClient client, DeviceCatalog catalog, ActiveRuleSet rules, IOptions<GatewayOptions> options, ILogger<IngestService> logger, TimeProvider time)
    {
        _pipeline = pipeline;
        _client = client;
        _catalog = catalog;
        _rules = rules;
        _options = options.Value;
        _logger = logger;
        _time = time;
        _pipeline.Attach(client);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await RestoreCheckpointAsync(stoppingToken).ConfigureAwait(false);

        var writer = Task.Run(() => _pipeline.RunWriterAsync(CancellationToken.None), CancellationToken.None);
        using var clientStop = new CancellationTokenSource();
        var client = Task.Run(() => _client.RunAsync(_catalog.SubscriptionFilters, clientStop.Token), CancellationToken.None);
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

        await clientStop.CancelAsync().ConfigureAwait(false);
        await client.ConfigureAwait(false);
        _pipeline.Complete();
        await writer.ConfigureAwait(false);
        await SaveCheckpointAsync(CancellationToken.None).ConfigureAwait(false);
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
                    await SaveCheckpointAsync(stoppingToken).ConfigureAwait(false);
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
            rules =>
            {
                _ = _pipeline.WithEngineAsync(e => e.Reload(rules), stoppingToken);
                _rules.Current = rules;
                Log.RulesReloaded(_logger, rules.Count, path);
            },
            errors =>
            {
                foreach (var error in errors)
                {
                    Log.RulesReloadFailed(_logger, error.ToString());
                }
            });
    }

    private async Task RestoreCheckpointAsync(CancellationToken cancellationToken)
    {
        var path = GatewayPaths.Resolve(_options.RulesCheckpointPath);
        if (!File.Exists(path))
        {
            return;
        }

        try
        {
            var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
            await _pipeline.WithEngineAsync(e => e.RestoreCheckpoint(new MemoryStream(bytes)), cancellationToken).ConfigureAwait(false);
            Log.CheckpointRestored(_logger, path);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or FormatException or System.Text.Json.JsonException)
        {
            Log.CheckpointUnreadable(_logger, path, ex.Message);
        }
    }

    private async Task SaveCheckpointAsync(CancellationToken cancellationToken)
    {
        var path = GatewayPaths.Resolve(_options.RulesCheckpointPath);
        // One buffer reused by every checkpoint: a new one each 30 s grew through the large-object heap by doubling
        // (megabytes at 10,000 devices), churn that full collections then have to return.
        var buffer = _checkpointBuffer;
        buffer.SetLength(0);
        await _pipeline.WithEngineAsync(e => e.SaveCheckpoint(buffer), cancellationToken).ConfigureAwait(false);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".tmp";
        await using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            buffer.Position = 0;
            await buffer.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
            file.Flush(flushToDisk: true);
        }

        // Rename is atomic: a crash leaves either the old checkpoint or the new one, never half of one.
        File.Move(temp, path, overwrite: true);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 300, Level = LogLevel.Warning, Message = "Flush at shutdown timed out; unacknowledged messages stay at the broker for the next start")]
        public static partial void FlushTimedOut(ILogger logger);

        [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Reloaded {Count} rules from {Path}")]
        public static partial void RulesReloaded(ILogger logger, int count, string path);

        [LoggerMessage(EventId = 302, Level = LogLevel.Error, Message = "Rule reload rejected, the previous rules keep running: {Error}")]
        public static partial void RulesReloadFailed(ILogger logger, string error);

        [LoggerMessage(EventId = 303, Level = LogLevel.Information, Message = "Restored rule state from {Path}")]
        public static partial void CheckpointRestored(ILogger logger, string path);

        [LoggerMessage(EventId = 304, Level = LogLevel.Warning, Message = "Rule checkpoint {Path} could not be read, starting with empty rule state: {Reason}")]
        public static partial void CheckpointUnreadable(ILogger logger, string path, string reason);
    }
}
