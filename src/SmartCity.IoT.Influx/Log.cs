using Microsoft.Extensions.Logging;

namespace SmartCity.IoT.Influx;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Spool {Path} opened: {Segments} segments, {Records} batches, {Lines} lines pending, {Damaged} damaged places")]
    public static partial void SpoolOpened(ILogger logger, string path, int segments, long records, long lines, int damaged);

    [LoggerMessage(2, LogLevel.Warning, "Spool damage found and skipped: {Damage}")]
    public static partial void SpoolDamaged(ILogger logger, string damage);

    [LoggerMessage(3, LogLevel.Warning, "Spool cursor {Path} is damaged: replaying from the oldest segment (InfluxDB ignores the repeated points)")]
    public static partial void SpoolCursorDamaged(ILogger logger, string path);

    [LoggerMessage(4, LogLevel.Warning, "Spool is full ({MaxBytes} bytes): not accepting batches (so not acknowledging) until replay frees room")]
    public static partial void SpoolFullBlocking(ILogger logger, long maxBytes);

    [LoggerMessage(5, LogLevel.Warning, "Spool is full ({MaxBytes} bytes): dropping new batches, first of {Lines} lines (Spool:FullPolicy=DropNewest; all drops are counted in smartcity.influx.lines.dropped)")]
    public static partial void SpoolDroppedNewest(ILogger logger, long lines, long maxBytes);

    [LoggerMessage(6, LogLevel.Warning, "Spool is full ({MaxBytes} bytes): dropped the oldest segment {File} with {Lines} lines (Spool:FullPolicy=DropOldest)")]
    public static partial void SpoolDroppedOldest(ILogger logger, long lines, string file, long maxBytes);

    [LoggerMessage(10, LogLevel.Warning, "InfluxDB write to {Url} failed: {Error}")]
    public static partial void WriteFailed(ILogger logger, string url, string error);

    [LoggerMessage(11, LogLevel.Error, "InfluxDB writes are HELD: {Alarm}")]
    public static partial void WriteHeld(ILogger logger, string alarm);

    [LoggerMessage(12, LogLevel.Warning, "InfluxDB rejected {Count} lines (HTTP {Status}): {Reason}")]
    public static partial void LinesRejected(ILogger logger, long count, int status, string reason);

    [LoggerMessage(13, LogLevel.Warning, "InfluxDB asked to wait {RetryAfter} (HTTP {Status})")]
    public static partial void Throttled(ILogger logger, TimeSpan retryAfter, int status);

    [LoggerMessage(14, LogLevel.Warning, "InfluxDB is unavailable ({Error}): batches go to the spool until it takes writes again")]
    public static partial void InfluxDown(ILogger logger, string error);

    [LoggerMessage(15, LogLevel.Information, "InfluxDB takes writes again: replaying {Lines} spooled lines")]
    public static partial void InfluxRecovered(ILogger logger, long lines);

    [LoggerMessage(16, LogLevel.Information, "Spool drained into InfluxDB ({Replayed} lines replayed so far)")]
    public static partial void SpoolDrained(ILogger logger, long replayed);

    [LoggerMessage(17, LogLevel.Information, "No Influx:Url configured: batches stay in the spool {Path} (drain later with 'spool replay --to URL')")]
    public static partial void SpoolOnly(ILogger logger, string path);

    [LoggerMessage(19, LogLevel.Error, "Cannot append to the spool; the batch waits (not acknowledged) and is tried again in {Delay}")]
    public static partial void SpoolAppendFailed(ILogger logger, Exception exception, TimeSpan delay);

    [LoggerMessage(18, LogLevel.Error, "Spool replay failed unexpectedly; retrying")]
    public static partial void ReplayCrashed(ILogger logger, Exception exception);

    [LoggerMessage(40, LogLevel.Information, "InfluxDB database '{Database}' is ready (CREATE DATABASE; Influx:CreateDatabase)")]
    public static partial void DatabaseEnsured(ILogger logger, string database);

    [LoggerMessage(41, LogLevel.Warning, "Could not create InfluxDB database '{Database}' ({Reason}); writes will tell whether it exists. Set Influx:CreateDatabase to false if the account may not create databases")]
    public static partial void DatabaseNotCreated(ILogger logger, string database, string reason);

    [LoggerMessage(42, LogLevel.Warning, "Influx:Tls:InsecureSkipVerify=true - the certificate of {Url} is NOT checked, so anyone on the network path can pose as InfluxDB and read every batch. Use only against a throw-away test server; give its CA in Influx:Tls:CaFile instead")]
    public static partial void InsecureTls(ILogger logger, string url);
}
