using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SmartCity.IoT.Gateway.Hosting;

namespace SmartCity.IoT.Gateway.Pipeline;

/// <summary>The rule engine's state on disk (pending timers, firing alerts, windows): restored at start, saved periodically and at stop.</summary>
internal sealed partial class RuleCheckpointFile
{
    private static readonly TimeSpan CommitWait = TimeSpan.FromSeconds(10);

    private readonly MemoryStream _buffer = new();
    private readonly IngestPipeline _pipeline;
    private readonly string _path;
    private readonly ILogger<RuleCheckpointFile> _logger;
    private readonly TimeProvider _time;
    private long _savedVersion = -1;

    public RuleCheckpointFile(IngestPipeline pipeline, IOptions<GatewayOptions> options, ILogger<RuleCheckpointFile> logger, TimeProvider time)
    {
        _time = time;
        _pipeline = pipeline;
        _path = GatewayPaths.Resolve(options.Value.RulesCheckpointPath);
        _logger = logger;
    }

    /// <summary>False in NATS mode: rule state lives per partition in a replicated bucket (<c>Nats/PartitionRuleState</c>).</summary>
    public bool Enabled { get; init; } = true;

    public async Task RestoreAsync(CancellationToken cancellationToken)
    {
        if (!Enabled || !File.Exists(_path))
        {
            return;
        }

        try
        {
            var bytes = await File.ReadAllBytesAsync(_path, cancellationToken).ConfigureAwait(false);
            await _pipeline.WithEngineAsync(e => e.RestoreCheckpoint(new MemoryStream(bytes)), cancellationToken).ConfigureAwait(false);
            Log.CheckpointRestored(_logger, _path);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or FormatException or System.Text.Json.JsonException)
        {
            Log.CheckpointUnreadable(_logger, _path, ex.Message);
        }
    }

    public async Task SaveAsync(CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return;
        }

        // One buffer reused by every checkpoint: a new one each 30 s grew through the large-object heap by doubling
        // (megabytes at 10,000 devices), churn that full collections then have to return.
        var buffer = _buffer;
        buffer.SetLength(0);
        var version = -1L;
        var unchanged = false;
        var committed = await _pipeline.SnapshotEngineAsync(
            e =>
            {
                // A quiet estate: the same state as the file holds, so nothing to write (no whole-engine pass every 30 s).
                version = e.StateVersion;
                unchanged = version == _savedVersion;
                if (!unchanged)
                {
                    e.SaveCheckpoint(buffer);
                }
            },
            cancellationToken).ConfigureAwait(false);
        if (unchanged)
        {
            return;
        }

        try
        {
            // The file may only say "firing" for alerts the outbox has: otherwise, after a crash, the redelivered reading
            // that fired one is skipped as already evaluated and its receivers are never told.
            await committed.WaitAsync(CommitWait, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Log.CheckpointDeferred(_logger, _path, CommitWait);
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        var temp = _path + ".tmp";
        await using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            buffer.Position = 0;
            await buffer.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
            file.Flush(flushToDisk: true);
        }

        // Rename is atomic: a crash leaves either the old checkpoint or the new one, never half of one.
        File.Move(temp, _path, overwrite: true);
        _savedVersion = version;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 303, Level = LogLevel.Information, Message = "Restored rule state from {Path}")]
        public static partial void CheckpointRestored(ILogger logger, string path);

        [LoggerMessage(EventId = 304, Level = LogLevel.Warning, Message = "Rule checkpoint {Path} could not be read, starting with empty rule state: {Reason}")]
        public static partial void CheckpointUnreadable(ILogger logger, string path, string reason);

        [LoggerMessage(EventId = 309, Level = LogLevel.Warning, Message = "Rule checkpoint {Path} not written: the alert outbox did not commit the transitions it reflects within {Wait}; the previous checkpoint stays")]
        public static partial void CheckpointDeferred(ILogger logger, string path, TimeSpan wait);
    }
}
