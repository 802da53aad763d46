using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using SmartCity.IoT.Core.DeadLetters;
using SmartCity.IoT.Core.Resilience;
using SmartCity.IoT.Core.Security;
using SmartCity.IoT.Core.Tls;

namespace SmartCity.IoT.Influx.Http;

/// <summary>
/// Writes one batch of line protocol to <c>/api/v2/write</c> or <c>/write</c> (gzip optional) and applies the
/// status-code policy documented in this project's README: 2xx written; 400/422 keep what was written and dead-letter
/// the refused lines; 413 split and retry; 401/403/404 held with an alarm; 429/503 wait at least Retry-After;
/// other 5xx and network errors retried (Polly, paced by a <see cref="Backoff"/>) within the caller's budget.
/// It never spools: the caller decides what to do with <see cref="WriteOutcomeKind.Unavailable"/> and <see cref="WriteOutcomeKind.Held"/>.
/// </summary>
internal sealed class InfluxWriter
{
    public const string HttpClientName = "SmartCity.IoT.Influx";
    private const int MaxBodyChars = 64 * 1024;
    private const int MaxRejectDepth = 64;
    private const string RejectedKind = "influx-rejected";
    private const string DroppedKind = "influx-dropped";

    /// <summary>Pauses between the retries of a live write (Polly runs them; this policy decides how long).</summary>
    private static readonly Backoff RetryBackoff = new(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(2), jitter: 0.5);

    private readonly HttpClient _http;
    private readonly InfluxOptions _options;
    private readonly DeadLetterStore _deadLetters;
    private readonly StoreStatus? _status;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly AuthenticationHeaderValue? _auth;
    private readonly ServerCertificateCheck? _tls;
    private readonly ResiliencePipeline<HttpAttempt> _retry;
    private long _notBeforeUtcTicks;
    private int _databaseEnsured;

    /// <param name="tls">The certificate check of <c>Influx:Tls</c>, whose reason replaces the TLS stack's bare "rejected".</param>
    public InfluxWriter(HttpClient http, InfluxOptions options, DeadLetterStore deadLetters, StoreStatus? status = null, TimeProvider? time = null, ILogger? logger = null, ServerCertificateCheck? tls = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(deadLetters);
        if (!options.IsConfigured)
        {
            throw new ArgumentException("Influx:Url is empty: there is nothing to write to.", nameof(options));
        }

        _http = http;
        _options = options;
        _deadLetters = deadLetters;
        _status = status;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _tls = tls;
        WriteUri = BuildWriteUri(options);
        Where = UrlRedactor.Redact(WriteUri.GetLeftPart(UriPartial.Path));
        _auth = BuildAuth(options);
        _retry = BuildRetryPipeline();
    }

    /// <summary>The full write URL; it holds a user name and password when Influx:Url does, so it is for sending only.</summary>
    public Uri WriteUri { get; }

    /// <summary>The write URL without query and with any credential redacted: what logs, alarms and dead letters name.</summary>
    public string Where { get; }

    /// <summary>
    /// Added to every Retry-After wait: timers may fire a few milliseconds early, and the server asked for at least that long.
    /// </summary>
    private static readonly TimeSpan RetryAfterGuard = TimeSpan.FromMilliseconds(50);

    /// <summary>No request is sent before this time (set by a 429/503 Retry-After), live or replay.</summary>
    public DateTimeOffset NotBefore => new(Interlocked.Read(ref _notBeforeUtcTicks), TimeSpan.Zero);

    /// <summary><c>CREATE DATABASE</c> on InfluxDB 1.x (idempotent). A failure is logged and retried before the next write.</summary>
    private async Task EnsureDatabaseAsync(CancellationToken cancellationToken)
    {
        var uri = new Uri(_options.Url.TrimEnd('/') + "/query", UriKind.Absolute);
        var statement = "CREATE DATABASE \"" + _options.Database.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new FormUrlEncodedContent([new KeyValuePair<string, string>("q", statement)]) };
            request.Headers.Authorization = _auth;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.Timeout);
            using var response = await _http.SendAsync(request, timeout.Token).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                Log.DatabaseEnsured(_logger, _options.Database);
                return;
            }

            Log.DatabaseNotCreated(_logger, _options.Database, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            Log.DatabaseNotCreated(_logger, _options.Database, UrlRedactor.Scrub(ex.Message, uri));
        }

        Volatile.Write(ref _databaseEnsured, 0);
    }

    public static Uri BuildWriteUri(InfluxOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var baseUrl = options.Url.TrimEnd('/');
        var query = options.Api == InfluxApi.V2
            ? $"/api/v2/write?org={Uri.EscapeDataString(options.Org)}&bucket={Uri.EscapeDataString(options.Bucket)}&precision=ns"
            : $"/write?db={Uri.EscapeDataString(options.Database)}&precision=n"
              + (string.IsNullOrEmpty(options.RetentionPolicy) ? "" : "&rp=" + Uri.EscapeDataString(options.RetentionPolicy));
        return new Uri(baseUrl + query, UriKind.Absolute);
    }

    /// <summary>
    /// Writes <paramref name="lines"/>. With <paramref name="retry"/> transient failures are retried within
    /// <see cref="InfluxOptions.RetryBudget"/>; without, one attempt is made (replay paces itself).
    /// Throws only <see cref="OperationCanceledException"/> for <paramref name="cancellationToken"/>.
    /// </summary>
    public async Task<WriteOutcome> WriteAsync(ReadOnlyMemory<byte> lines, int lineCount, bool retry, CancellationToken cancellationToken)
    {
        var wait = NotBefore - _time.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            if (!retry || wait > _options.RetryBudget)
            {
                return new WriteOutcome(WriteOutcomeKind.Unavailable, $"InfluxDB asked to wait until {NotBefore:O} (Retry-After)");
            }

            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
        }

        return await WriteCoreAsync(lines, lineCount, retry, 0, cancellationToken).ConfigureAwait(false);
    }

    private async Task<WriteOutcome> WriteCoreAsync(ReadOnlyMemory<byte> lines, int lineCount, bool retry, int depth, CancellationToken cancellationToken)
    {
        if (lines.IsEmpty)
        {
            return WriteOutcome.Written();
        }

        if (_options.ShouldCreateDatabase && Interlocked.CompareExchange(ref _databaseEnsured, 1, 0) == 0)
        {
            await EnsureDatabaseAsync(cancellationToken).ConfigureAwait(false);
        }

        var body = _options.CompressBodies ? Compress(lines.Span) : lines;
        var attempt = retry && _options.MaxRetries > 0 && _options.RetryBudget > TimeSpan.Zero
            ? await SendWithRetriesAsync(body, cancellationToken).ConfigureAwait(false)
            : await SendAsync(body, cancellationToken).ConfigureAwait(false);

        if (attempt.IsSuccess)
        {
            return WriteOutcome.Written();
        }

        if (attempt.Status == 404 && _options.ShouldCreateDatabase)
        {
            Volatile.Write(ref _databaseEnsured, 0); // dropped while we ran: create it again before the next write
        }

        switch (attempt.Status)
        {
            case 413:
                return await SplitAsync(lines, lineCount, retry, depth, attempt, cancellationToken).ConfigureAwait(false);
            case 400 or 422:
                return await HandleRejectionAsync(lines, retry, depth, attempt, cancellationToken).ConfigureAwait(false);
            case 401 or 403 or 404:
                return Held(attempt, HoldAlarm(attempt));
        }

        if (attempt.IsTransient)
        {
            if (attempt.RetryAfter is { } retryAfter && attempt.Status is 429 or 503)
            {
                Log.Throttled(_logger, retryAfter, attempt.Status);
                SetNotBefore(_time.GetUtcNow() + retryAfter + RetryAfterGuard);
            }

            Log.WriteFailed(_logger, Where, attempt.Describe());
            return new WriteOutcome(WriteOutcomeKind.Unavailable, attempt.Describe());
        }

        return Held(attempt, $"InfluxDB at {Where} refused the batch with an unexpected {attempt.Describe()}; holding the data in the spool.");
    }

    private WriteOutcome Held(HttpAttempt attempt, string alarm)
    {
        Log.WriteHeld(_logger, alarm);
        return new WriteOutcome(WriteOutcomeKind.Held, attempt.Describe(), alarm);
    }

    private async Task<WriteOutcome> SplitAsync(ReadOnlyMemory<byte> lines, int lineCount, bool retry, int depth, HttpAttempt attempt, CancellationToken cancellationToken)
    {
        var count = LineBatch.Lines(lines.Span).Count;
        if (count <= 1 || depth >= MaxRejectDepth)
        {
            // One line larger than the server accepts will never be accepted: it is bad data, not a transient state.
            return DeadLetterAll(lines, count, attempt, "the server refuses a request this large (413) even for a single line");
        }

        var (first, firstLines, second, secondLines) = LineBatch.Halve(lines);
        var a = await WriteCoreAsync(first, firstLines, retry, depth + 1, cancellationToken).ConfigureAwait(false);
        if (!a.IsWritten)
        {
            return a; // the caller spools the whole batch; replaying the written half again is harmless
        }

        var b = await WriteCoreAsync(second, secondLines, retry, depth + 1, cancellationToken).ConfigureAwait(false);
        return b.IsWritten ? WriteOutcome.Written(a.RejectedLines + b.RejectedLines) : b;
    }

    private async Task<WriteOutcome> HandleRejectionAsync(ReadOnlyMemory<byte> lines, bool retry, int depth, HttpAttempt attempt, CancellationToken cancellationToken)
    {
        var ranges = LineBatch.Lines(lines.Span);
        var texts = LineBatch.Texts(lines.Span, ranges);
        var report = RejectionReport.Parse(attempt.Status, attempt.Body, texts);
        if (!report.IsAboutLines)
        {
            return Held(attempt, $"InfluxDB at {Where} refused the request itself ({attempt.Describe()}); check the Influx settings. Holding the data in the spool.");
        }

        var entries = new List<(DeadLetterEntry Entry, ReadOnlyMemory<byte> Line)>();
        foreach (var (index, reason) in report.Rejected)
        {
            entries.Add((new DeadLetterEntry(RejectedKind, Source, reason, Status: attempt.Status), lines[ranges[index]]));
        }

        long rejected = report.Rejected.Count;
        if (report.Partial)
        {
            // The server kept every line it did not refuse. Refusals it does not tie to a line are counted, not guessed.
            var unidentified = Math.Max(0, (report.Dropped ?? 0) - report.Rejected.Count);
            if (unidentified > 0)
            {
                entries.Add((new DeadLetterEntry(DroppedKind, Source, report.Message, Status: attempt.Status, Count: unidentified), ReadOnlyMemory<byte>.Empty));
            }

            rejected += unidentified;
            Record(entries, rejected, attempt.Status, report.Message);
            return WriteOutcome.Written(rejected);
        }

        // The whole batch was refused: take out the lines it named and send the rest again,
        // or, if it named none, halve the batch until the bad line stands alone.
        if (report.Rejected.Count > 0)
        {
            Record(entries, rejected, attempt.Status, report.Message);
            var (rest, restLines) = LineBatch.Without(lines.Span, ranges, report.Rejected);
            if (restLines == 0)
            {
                return WriteOutcome.Written(rejected);
            }

            if (depth >= MaxRejectDepth)
            {
                return DeadLetterAll(rest, restLines, attempt, "still refused after " + MaxRejectDepth + " rounds of removing named lines: " + report.Message, rejected);
            }

            var outcome = await WriteCoreAsync(rest, restLines, retry, depth + 1, cancellationToken).ConfigureAwait(false);
            return outcome with { RejectedLines = outcome.RejectedLines + rejected };
        }

        if (ranges.Count <= 1 || depth >= MaxRejectDepth)
        {
            return DeadLetterAll(lines, ranges.Count, attempt, report.Message);
        }

        var (first, firstLines, second, secondLines) = LineBatch.Halve(lines);
        var a = await WriteCoreAsync(first, firstLines, retry, depth + 1, cancellationToken).ConfigureAwait(false);
        if (!a.IsWritten)
        {
            return a;
        }

        var b = await WriteCoreAsync(second, secondLines, retry, depth + 1, cancellationToken).ConfigureAwait(false);
        return b.IsWritten ? WriteOutcome.Written(a.RejectedLines + b.RejectedLines) : b;
    }

    private WriteOutcome DeadLetterAll(ReadOnlyMemory<byte> lines, int count, HttpAttempt attempt, string reason, long alreadyRejected = 0)
    {
        var entries = new List<(DeadLetterEntry Entry, ReadOnlyMemory<byte> Line)>();
        foreach (var range in LineBatch.Lines(lines.Span))
        {
            entries.Add((new DeadLetterEntry(RejectedKind, Source, reason, Status: attempt.Status), lines[range]));
        }

        Record(entries, count, attempt.Status, reason);
        return WriteOutcome.Written(alreadyRejected + count);
    }

    /// <summary>The records are durable (one fsync for all) before the batch counts as written.</summary>
    private void Record(List<(DeadLetterEntry Entry, ReadOnlyMemory<byte> Line)> entries, long rejected, int status, string reason)
    {
        foreach (var (entry, line) in entries)
        {
            _deadLetters.Append(entry, line.Span);
        }

        _deadLetters.Flush();
        if (rejected > 0)
        {
            _status?.AddRejected(rejected);
            InfluxMetrics.Rejected.Add(rejected);
            Log.LinesRejected(_logger, rejected, status, HttpAttempt.Shorten(reason));
        }
    }

    private string Source => Where + (_options.Api == InfluxApi.V2 ? $" bucket={_options.Bucket}" : $" db={_options.Database}");

    private string HoldAlarm(HttpAttempt attempt)
    {
        var where = Where;
        var server = attempt.ServerVersion is null ? "" : $" (InfluxDB {attempt.ServerVersion})";
        switch (attempt.Status)
        {
            case 401:
                return $"InfluxDB{server} at {where} rejects the credentials (401 Unauthorized): check Influx:{(_options.Api == InfluxApi.V2 || string.IsNullOrEmpty(_options.Username) ? "Token" : "Username/Password")}. Holding the data in the spool and retrying.";
            case 403:
                return $"InfluxDB{server} at {where} does not allow this writer to write (403 Forbidden): {HttpAttempt.Shorten(attempt.Body)}. Give the token/user write permission. Holding the data in the spool and retrying.";
        }

        // 404: distinguish a server without the endpoint from a missing bucket or database.
        var body = attempt.Body;
        if (_options.Api == InfluxApi.V2 && (attempt.ServerVersion?.StartsWith("1.", StringComparison.Ordinal) == true || body.Contains("page not found", StringComparison.OrdinalIgnoreCase)))
        {
            return attempt.ServerVersion is not null
                ? $"this server{server} at {where} has no /api/v2/write; use Api=v1 (set Influx:Api=v1 and Influx:Database). Holding the data in the spool."
                : $"{where} has no /api/v2/write (404 page not found): check Influx:Url, or for InfluxDB before 1.8 use Api=v1. Holding the data in the spool.";
        }

        return _options.Api == InfluxApi.V2
            ? $"InfluxDB{server} says the bucket '{_options.Bucket}' or org '{_options.Org}' does not exist (404: {HttpAttempt.Shorten(body)}). Create it or fix Influx:Bucket/Influx:Org. Holding the data in the spool."
            : $"InfluxDB{server} says the database '{_options.Database}' does not exist (404: {HttpAttempt.Shorten(body)}). Create it (CREATE DATABASE \"{_options.Database}\") or fix Influx:Database. Holding the data in the spool.";
    }

    private async Task<HttpAttempt> SendWithRetriesAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        try
        {
            return await _retry.ExecuteAsync(static (state, token) => new ValueTask<HttpAttempt>(state.Writer.SendAsync(state.Body, token)), (Writer: this, Body: body), cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException)
        {
            return new HttpAttempt(0, "", null, null, $"no success within Influx:RetryBudget ({_options.RetryBudget.TotalSeconds:0.###} s)");
        }
    }

    private async Task<HttpAttempt> SendAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var request = new HttpRequestMessage(HttpMethod.Post, WriteUri);
        var content = new ReadOnlyMemoryContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" };
        if (_options.CompressBodies)
        {
            content.Headers.ContentEncoding.Add("gzip");
        }

        request.Content = content;
        request.Headers.Authorization = _auth;
        var started = Stopwatch.GetTimestamp();
        var outcome = "error";
        _tls?.Reset(); // a reason left from an earlier handshake must not explain a different failure
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            outcome = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var text = await ReadBodyAsync(response, linked.Token).ConfigureAwait(false);
            var version = response.Headers.TryGetValues("X-Influxdb-Version", out var values) ? values.FirstOrDefault() : null;
            return new HttpAttempt((int)response.StatusCode, text, RetryAfter(response), version, null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && timeout.IsCancellationRequested)
        {
            outcome = "timeout";
            return new HttpAttempt(0, "", null, null, $"no answer within Influx:Timeout ({_options.Timeout.TotalSeconds:0.###} s)");
        }
        catch (HttpRequestException) when (_tls?.LastFailure is { } rejected)
        {
            return new HttpAttempt(0, "", null, null, $"TLS with {WriteUri.Authority} failed: {rejected} (Influx:Tls)");
        }
        catch (HttpRequestException e)
        {
            // HttpClient's messages may quote the request URL, and with it a user name and password from Influx:Url.
            return new HttpAttempt(0, "", null, null, UrlRedactor.Scrub(e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message, WriteUri));
        }
        catch (IOException e)
        {
            return new HttpAttempt(0, "", null, null, UrlRedactor.Scrub(e.Message, WriteUri));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Whatever else fails in the HTTP stack, the batch is not lost: it counts as "no answer" and is spooled.
            return new HttpAttempt(0, "", null, null, UrlRedactor.Scrub($"{e.GetType().Name}: {e.Message}", WriteUri));
        }
        finally
        {
            InfluxMetrics.WriteDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("status", outcome));
        }
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - _time.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }

    private static async Task<string> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.StatusCode == HttpStatusCode.NoContent)
        {
            return "";
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var buffer = new char[MaxBodyChars];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await reader.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
        {
            total += read;
        }

        return new string(buffer, 0, total);
    }

    private void SetNotBefore(DateTimeOffset until)
    {
        var ticks = until.UtcTicks;
        long current;
        do
        {
            current = Interlocked.Read(ref _notBeforeUtcTicks);
            if (current >= ticks)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _notBeforeUtcTicks, ticks, current) != current);
    }

    private ResiliencePipeline<HttpAttempt> BuildRetryPipeline()
    {
        var builder = new ResiliencePipelineBuilder<HttpAttempt> { TimeProvider = _time };
        if (_options.RetryBudget > TimeSpan.Zero)
        {
            // Outermost: the whole live write (attempts and pauses) fits in the budget plus one request's time.
            builder.AddTimeout(_options.RetryBudget + _options.Timeout);
        }

        if (_options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpAttempt>
            {
                MaxRetryAttempts = _options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                Delay = RetryBackoff.Initial,
                MaxDelay = RetryBackoff.Max,
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Result is { IsTransient: true } r && (r.RetryAfter is null || r.RetryAfter <= _options.RetryBudget)),
                DelayGenerator = args =>
                {
                    if (args.Outcome.Result is { RetryAfter: { } retryAfter, Status: 429 or 503 } r)
                    {
                        Log.Throttled(_logger, retryAfter, r.Status);
                        SetNotBefore(_time.GetUtcNow() + retryAfter + RetryAfterGuard);
                        return ValueTask.FromResult<TimeSpan?>(retryAfter + RetryAfterGuard);
                    }

                    return ValueTask.FromResult<TimeSpan?>(RetryBackoff.Delay(args.AttemptNumber + 1)); // AttemptNumber counts from 0
                },
            });
        }

        return builder.Build();
    }

    private static AuthenticationHeaderValue? BuildAuth(InfluxOptions options)
    {
        if (options.Api == InfluxApi.V1 && !string.IsNullOrEmpty(options.Username))
        {
            return new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.Username}:{options.Password}")));
        }

        return string.IsNullOrEmpty(options.Token) ? null : new AuthenticationHeaderValue("Token", options.Token);
    }

    private static ReadOnlyMemory<byte> Compress(ReadOnlySpan<byte> lines)
    {
        var output = new MemoryStream(Math.Max(256, lines.Length / 4));
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(lines);
        }

        return output.GetBuffer().AsMemory(0, (int)output.Length);
    }
}
