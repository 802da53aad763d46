using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SmartCity.IoT.Core.Pipeline;
using SmartCity.IoT.Core.Resilience;
using SmartCity.IoT.Influx.Http;
using SmartCity.IoT.Influx.Spool;

namespace SmartCity.IoT.Influx;

/// <summary>
/// InfluxDB's <see cref="ITelemetrySink"/>, the one the pipeline acknowledges against: a batch is written to InfluxDB (with a short,
/// bounded retry), or appended and flushed to the disk spool, before <see cref="WriteAsync"/> completes.
/// While InfluxDB is away (or held by 401/403/404) batches go straight to the spool, and <see cref="SpoolReplayService"/>
/// probes and drains it; the first successful replay write reopens the direct path. Memory use does not grow with an
/// outage: nothing is kept but the batch in hand.
/// </summary>
internal sealed class DurableBatchStore : ITelemetrySink
{
    /// <summary>Pauses while the spool's disk fails; no jitter, since one process retries alone.</summary>
    private static readonly Backoff DiskBackoff = new(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(10));

    private readonly InfluxWriter? _writer;
    private readonly DiskSpool _spool;
    private readonly StoreStatus _status;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly bool _spoolEnabled;
    private int _downLogged;

    public DurableBatchStore(InfluxWriter? writer, DiskSpool spool, StoreStatus status, TimeProvider? time = null, ILogger<DurableBatchStore>? logger = null, bool spoolEnabled = true)
    {
        _spoolEnabled = spoolEnabled;
        ArgumentNullException.ThrowIfNull(spool);
        ArgumentNullException.ThrowIfNull(status);
        _writer = writer;
        _spool = spool;
        _status = status;
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        InfluxMetrics.EnsureCreated();
        if (writer is null)
        {
            Log.SpoolOnly(_logger, spool.DirectoryPath);
        }
    }

    public string Name => "influx";

    /// <summary>
    /// Completes when the batch is durable (see <see cref="ITelemetrySink"/>): every line in InfluxDB, flushed to the
    /// local spool, or (rejected by the server as malformed) in the dead-letter store. If the spool's disk fails (full, read-only), the call
    /// keeps trying (InfluxDB first when it is up) with a capped pause, so the batch is never acknowledged without being safe;
    /// only <paramref name="cancellationToken"/> ends it early, with <see cref="OperationCanceledException"/>.
    /// </summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> lines, int lineCount, CancellationToken cancellationToken)
    {
        if (lines.IsEmpty)
        {
            return;
        }

        InfluxMetrics.BatchSize.Record(lineCount);
        var failures = 0;
        while (true)
        {
            try
            {
                await StoreOnceAsync(lines, lineCount, cancellationToken).ConfigureAwait(false);
                if (_status.SpoolError is not null)
                {
                    _status.SetSpoolError(null);
                }

                return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _status.SetSpoolError($"{e.GetType().Name}: {e.Message}");
                failures = Math.Min(failures, DiskBackoff.AttemptAtMax) + 1;
                var pause = DiskBackoff.Delay(failures);
                Log.SpoolAppendFailed(_logger, e, pause);
                await Task.Delay(pause, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async ValueTask StoreOnceAsync(ReadOnlyMemory<byte> lines, int lineCount, CancellationToken cancellationToken)
    {
        if (!_spoolEnabled && _writer is not null)
        {
            await WriteUnspooledAsync(_writer, lines, lineCount, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (_writer is null || (_status.InfluxDown && !_spool.IsEmpty))
        {
            await SpoolAsync(lines, lineCount, cancellationToken).ConfigureAwait(false);
            return;
        }

        var outcome = await _writer.WriteAsync(lines, lineCount, retry: true, cancellationToken).ConfigureAwait(false);
        if (outcome.IsWritten)
        {
            Written(outcome, lineCount);
            return;
        }

        OnWriteFailed(outcome);
        await SpoolAsync(lines, lineCount, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Without a spool, a batch is durable only once InfluxDB has it: retried until then, with a capped pause.</summary>
    private async ValueTask WriteUnspooledAsync(InfluxWriter writer, ReadOnlyMemory<byte> lines, int lineCount, CancellationToken cancellationToken)
    {
        var failures = 0;
        while (true)
        {
            var outcome = await writer.WriteAsync(lines, lineCount, retry: true, cancellationToken).ConfigureAwait(false);
            if (outcome.IsWritten)
            {
                Written(outcome, lineCount);
                return;
            }

            OnWriteFailed(outcome);
            failures = Math.Min(failures, DiskBackoff.AttemptAtMax) + 1;
            await Task.Delay(DiskBackoff.Delay(failures), _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private void Written(WriteOutcome outcome, int lineCount)
    {
        var written = lineCount - outcome.RejectedLines;
        _status.AddWritten(written);
        InfluxMetrics.Written.Add(written);
        OnWriteSucceeded();
    }

    /// <summary>Called by live writes and replay alike: the direct path is open again.</summary>
    internal void OnWriteSucceeded()
    {
        var wasDown = _status.InfluxDown;
        _status.RecordSuccess(_time.GetUtcNow());
        if (wasDown && Interlocked.Exchange(ref _downLogged, 0) == 1)
        {
            Log.InfluxRecovered(_logger, _spool.PendingLines);
        }
    }

    internal void OnWriteFailed(WriteOutcome outcome)
    {
        _status.RecordFailure(outcome.Error ?? outcome.Kind.ToString(), outcome.Alarm);
        if (Interlocked.Exchange(ref _downLogged, 1) == 0)
        {
            Log.InfluxDown(_logger, outcome.Alarm ?? outcome.Error ?? outcome.Kind.ToString());
        }
    }

    private async ValueTask SpoolAsync(ReadOnlyMemory<byte> lines, int lineCount, CancellationToken cancellationToken)
    {
        var result = await _spool.AppendAsync(lines, lineCount, cancellationToken).ConfigureAwait(false);
        if (result != SpoolAppendResult.DroppedNewest)
        {
            _status.AddSpooled(lineCount);
            InfluxMetrics.Spooled.Add(lineCount);
        }
    }
}
