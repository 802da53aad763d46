using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SmartCity.IoT.Core.Resilience;
using SmartCity.IoT.Influx.Http;
using SmartCity.IoT.Influx.Spool;

namespace SmartCity.IoT.Influx;

/// <summary>
/// Drains the spool into InfluxDB in order, one batch at a time, from start-up on and alongside live traffic.
/// While writes fail it waits with a capped exponential <see cref="Backoff"/> (250 ms up to <see cref="InfluxOptions.ReplayMaxDelay"/>)
/// and honours Retry-After; each attempt doubles as the probe that tells the live path InfluxDB is back.
/// Idle in spool-only mode.
/// </summary>
internal sealed class SpoolReplayService : BackgroundService
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(250);
    private readonly InfluxWriter? _writer;
    private readonly DiskSpool _spool;
    private readonly DurableBatchStore _store;
    private readonly StoreStatus _status;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Backoff _backoff;

    public SpoolReplayService(InfluxWriter? writer, DiskSpool spool, DurableBatchStore store, StoreStatus status, InfluxOptions options, TimeProvider? time = null, ILogger<SpoolReplayService>? logger = null)
    {
        _writer = writer;
        _spool = spool;
        _store = store;
        _status = status;
        ArgumentNullException.ThrowIfNull(options);
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _backoff = new Backoff(TimeSpan.FromTicks(Math.Min(FirstDelay.Ticks, options.ReplayMaxDelay.Ticks)), options.ReplayMaxDelay, jitter: 0.2);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_writer is null)
        {
            return;
        }

        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                failures = await ReplayOneAsync(failures, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Never let one bad moment (disk error, unexpected HTTP stack failure) stop the host: the data stays spooled.
                Log.ReplayCrashed(_logger, e);
                failures = _backoff.AttemptAtMax;
                await Task.Delay(_backoff.Max, _time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>One step: wait for data, write one batch; returns the failed attempts in a row so far.</summary>
    private async Task<int> ReplayOneAsync(int failures, CancellationToken stoppingToken)
    {
        var appended = _spool.NextAppend;
        if (!_spool.TryReadNext(out var record))
        {
            await appended.WaitAsync(stoppingToken).ConfigureAwait(false);
            return failures;
        }

        var wait = _writer!.NotBefore - _time.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, _time, stoppingToken).ConfigureAwait(false);
        }

        var outcome = await _writer.WriteAsync(record!.Payload, record.LineCount, retry: false, stoppingToken).ConfigureAwait(false);
        if (outcome.IsWritten)
        {
            _spool.Commit(record);
            var replayed = record.LineCount - outcome.RejectedLines;
            _status.AddReplayed(replayed);
            InfluxMetrics.Replayed.Add(replayed);
            _store.OnWriteSucceeded();
            if (_spool.IsEmpty)
            {
                Log.SpoolDrained(_logger, _status.Replayed);
            }

            return 0;
        }

        _store.OnWriteFailed(outcome);
        failures = Math.Min(failures, _backoff.AttemptAtMax) + 1;
        await Task.Delay(_backoff.Delay(failures), _time, stoppingToken).ConfigureAwait(false);
        return failures;
    }
}
