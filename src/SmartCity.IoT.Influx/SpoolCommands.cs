using System.Globalization;
using SmartCity.IoT.Core.DeadLetters;
using SmartCity.IoT.Core.Security;
using SmartCity.IoT.Influx.Http;
using SmartCity.IoT.Influx.Spool;

namespace SmartCity.IoT.Influx;

/// <summary>The operator commands <c>spool status</c> and <c>spool replay --to URL</c> (the host maps them to its CLI).</summary>
public static class SpoolCommands
{
    /// <summary>
    /// Prints what the spool holds and any damage, without changing it (safe while the gateway runs).
    /// <paramref name="deadLetterPath"/> is the <c>DeadLetter:Path</c> folder (default <c>data/deadletter</c>). Exit code 0, or 2 if the path does not exist.
    /// </summary>
    public static int Status(string spoolPath, TextWriter output, string? deadLetterPath = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(spoolPath);
        ArgumentNullException.ThrowIfNull(output);
        var full = Path.GetFullPath(spoolPath);
        if (!Directory.Exists(full))
        {
            output.WriteLine($"spool {full}: no such directory");
            return 2;
        }

        using var spool = DiskSpool.Inspect(full);
        var segments = spool.Segments;
        output.WriteLine($"spool {full}");
        output.WriteLine($"  pending: {spool.PendingRecords} batches, {spool.PendingLines} lines, {spool.Bytes} bytes in {segments.Count} segments");
        output.WriteLine($"  cursor:  segment {spool.Cursor.Segment}, byte {spool.Cursor.Offset}");
        foreach (var s in segments)
        {
            output.WriteLine($"  {Path.GetFileName(s.File)}  {s.Bytes,12} bytes  {s.PendingRecords,8} batches  {s.PendingLines,10} lines");
        }

        var damage = spool.Damage;
        output.WriteLine(damage.Count == 0 ? "  damage:  none" : $"  damage:  {damage.Count} places (cut or skipped at the gateway's next start)");
        foreach (var d in damage)
        {
            output.WriteLine($"    {d}");
        }

        foreach (var damaged in Directory.GetFiles(full, "*.damaged"))
        {
            output.WriteLine($"    {Path.GetFileName(damaged)}: set aside (bad segment header); inspect or delete it");
        }

        var deadLetter = Path.GetFullPath(deadLetterPath ?? new DeadLetterOptions().Path);
        if (Directory.Exists(deadLetter))
        {
            var files = Directory.GetFiles(deadLetter, "*.jsonl");
            var records = files.Sum(f => File.ReadLines(f).LongCount());
            output.WriteLine($"  dead letters: {records} records in {files.Length} files under {deadLetter}");
        }

        return 0;
    }

    /// <summary>
    /// Drains the spool at <paramref name="spoolPath"/> into <paramref name="url"/> using the API, credentials and
    /// database/bucket of <paramref name="target"/> (its Url is replaced). Refused lines go to <paramref name="deadLetters"/>
    /// (the <c>DeadLetter</c> section; without it its defaults, <c>data/deadletter</c>).
    /// Exit code 0 when everything was written, 1 when the server stopped taking writes (the rest stays spooled),
    /// 2 when the spool is in use by a running gateway or the target settings are invalid.
    /// </summary>
    public static Task<int> ReplayAsync(string spoolPath, string url, InfluxOptions target, TextWriter output, CancellationToken ct) =>
        ReplayAsync(spoolPath, url, target, new DeadLetterOptions(), output, ct);

    /// <inheritdoc cref="ReplayAsync(string, string, InfluxOptions, TextWriter, CancellationToken)"/>
    public static Task<int> ReplayAsync(string spoolPath, string url, InfluxOptions target, DeadLetterOptions deadLetters, TextWriter output, CancellationToken ct) =>
        ReplayAsync(spoolPath, url, target, deadLetters, output, null, ct);

    /// <summary>
    /// As <see cref="ReplayAsync(string, string, InfluxOptions, TextWriter, CancellationToken)"/>, reporting (lines done, lines in
    /// the spool at the start) to <paramref name="progress"/> after each batch. A server that does not answer /ping within
    /// <see cref="ReachTimeout"/> ends the command at once (exit code 2) instead of retrying.
    /// </summary>
    public static async Task<int> ReplayAsync(string spoolPath, string url, InfluxOptions target, DeadLetterOptions deadLetters, TextWriter output, Action<long, long>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(deadLetters);
        ArgumentException.ThrowIfNullOrWhiteSpace(spoolPath);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(output);
        var options = Copy(target, url);
        var validation = new InfluxOptionsValidator().Validate(null, options);
        if (validation.Failed || !options.IsConfigured)
        {
            output.WriteLine($"spool replay: {(options.IsConfigured ? OptionNames(validation.FailureMessage) : "--to URL is required")}");
            return 2;
        }

        if (!Directory.Exists(spoolPath))
        {
            output.WriteLine($"spool replay: {Path.GetFullPath(spoolPath)}: no such directory");
            return 2;
        }

        DiskSpool spool;
        try
        {
            spool = DiskSpool.Open(new SpoolOptions { Path = spoolPath, MaxBytes = long.MaxValue / 2 });
        }
        catch (IOException e)
        {
            output.WriteLine($"spool replay: cannot open {Path.GetFullPath(spoolPath)}: {e.Message} (is a gateway running on it? stop it first)");
            return 2;
        }

        using (spool)
        {
            foreach (var d in spool.Damage)
            {
                output.WriteLine($"damaged: {d}");
            }

            using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
            if (await UnreachableAsync(http, options.Url, ct).ConfigureAwait(false) is { } unreachable)
            {
                output.WriteLine($"spool replay: cannot reach InfluxDB at {UrlRedactor.Redact(options.Url)} (--to): {UrlRedactor.Scrub(unreachable, new Uri(options.Url))}; nothing was sent, the spool is unchanged");
                return 2;
            }

            using var store = new DeadLetterStore(deadLetters);
            var writer = new InfluxWriter(http, options, store);
            output.WriteLine($"replaying {spool.PendingLines} lines ({spool.PendingRecords} batches) to {writer.Where}");
            long lines = 0, rejected = 0, batches = 0;
            var total = spool.PendingLines;
            progress?.Invoke(0, total);
            while (spool.TryReadNext(out var record))
            {
                var outcome = await writer.WriteAsync(record!.Payload, record.LineCount, retry: true, ct).ConfigureAwait(false);
                if (!outcome.IsWritten)
                {
                    output.WriteLine($"spool replay stopped after {batches} batches: {outcome.Alarm ?? outcome.Error}");
                    output.WriteLine($"{spool.PendingLines} lines remain in the spool");
                    return 1;
                }

                spool.Commit(record);
                batches++;
                lines += record.LineCount - outcome.RejectedLines;
                rejected += outcome.RejectedLines;
                progress?.Invoke(lines + rejected, total);
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"replayed {lines} lines in {batches} batches; {rejected} lines rejected (see {store.DirectoryPath})"));
            return 0;
        }
    }

    /// <summary>How long the reachability check waits for InfluxDB's /ping.</summary>
    public static readonly TimeSpan ReachTimeout = TimeSpan.FromSeconds(4);

    /// <summary>Why the server cannot be reached, or null when it answers /ping (any status: a proxy may not route it).</summary>
    private static async Task<string?> UnreachableAsync(HttpClient http, string url, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ReachTimeout);
        try
        {
            using var response = await http.GetAsync(new Uri(new Uri(url.TrimEnd('/') + "/"), "ping"), HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            return null;
        }
        catch (HttpRequestException e)
        {
            return e.InnerException?.Message ?? e.Message;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return $"no answer within {ReachTimeout.TotalSeconds:0} s";
        }
    }

    /// <summary>The validator names configuration keys; the command's user typed options.</summary>
    private static string OptionNames(string? message) => (message ?? "")
        .Replace("Influx:Url", "--to", StringComparison.Ordinal)
        .Replace("Influx:Bucket", "--bucket", StringComparison.Ordinal)
        .Replace("Influx:Org", "--org", StringComparison.Ordinal)
        .Replace("Influx:Database", "--db", StringComparison.Ordinal)
        .Replace("Influx:Api", "--api", StringComparison.Ordinal)
        .Replace("Influx:Token", "--token", StringComparison.Ordinal);

    private static InfluxOptions Copy(InfluxOptions o, string url) => new()
    {
        Url = url,
        Api = o.Api,
        Org = o.Org,
        Bucket = o.Bucket,
        Token = o.Token,
        Database = o.Database,
        RetentionPolicy = o.RetentionPolicy,
        Username = o.Username,
        Password = o.Password,
        BatchSize = o.BatchSize,
        FlushInterval = o.FlushInterval,
        Gzip = o.Gzip,
        Timeout = o.Timeout,
        RetryBudget = o.RetryBudget,
        MaxRetries = o.MaxRetries,
        ReplayMaxDelay = o.ReplayMaxDelay,
    };
}
