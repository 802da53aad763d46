using System.Buffers;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using SmartCity.IoT.Core.DeadLetters;
using SmartCity.IoT.Influx;

namespace SmartCity.IoT.Gateway.HttpIngest;

/// <summary>
/// <c>POST /ingest/{source}</c>: machine-to-machine, authenticated by the source's own token (no cookie, no CSRF), and
/// answered 2xx only once the uplink's readings are durable. Every refusal names what to change.
/// </summary>
internal static class HttpIngestEndpoints
{
    private static readonly TimeSpan SpoolRetryAfter = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan BusyRetryAfter = TimeSpan.FromSeconds(5);

    public static IEndpointRouteBuilder MapHttpIngest(this IEndpointRouteBuilder app)
    {
        app.MapPost(HttpIngestOptions.PathPrefix + "/{source}", HandleAsync).DisableAntiforgery().ExcludeFromDescription();
        return app;
    }

    private static async Task HandleAsync(HttpContext context, string source, HttpIngestSources sources, DeadLetterStore deadLetters, IOptions<HttpIngestOptions> options, TimeProvider time, StoreStatus? store = null)
    {
        var started = time.GetTimestamp();
        if (!sources.TryGet(source, out var ingest))
        {
            await AnswerAsync(context, null, started, StatusCodes.Status404NotFound, new IngestAnswer("unknown_source", $"no HTTP ingest source '{source}' (configured: {string.Join(", ", sources.All.Select(s => s.Name))})"));
            return;
        }

        if (!ingest.Token.Accepts(context.Request.Headers))
        {
            ingest.Count(IngestOutcome.Unauthorized);
            if (ingest.Token.IsAuthorization)
            {
                context.Response.Headers.WWWAuthenticate = "Bearer realm=\"ingest\"";
            }

            await AnswerAsync(context, ingest, started, StatusCodes.Status401Unauthorized, new IngestAnswer("unauthorized", $"missing or wrong token in the {ingest.Token.Header} header"));
            return;
        }

        using var lease = ingest.RateLimiter.AttemptAcquire();
        if (!lease.IsAcquired)
        {
            ingest.Count(IngestOutcome.RateLimited);
            context.Response.Headers.RetryAfter = "1";
            await AnswerAsync(context, ingest, started, StatusCodes.Status429TooManyRequests, new IngestAnswer("rate_limited", $"more than {ingest.Options.RatePerSecond} requests per second (HttpIngest:Sources:N:RatePerSecond)"));
            return;
        }

        if (context.Request.ContentType is { } type && (type.StartsWith("application/octet-stream", StringComparison.OrdinalIgnoreCase) || type.Contains("protobuf", StringComparison.OrdinalIgnoreCase)))
        {
            ingest.Count(IngestOutcome.UnsupportedMediaType);
            await AnswerAsync(context, ingest, started, StatusCodes.Status415UnsupportedMediaType, new IngestAnswer("unsupported_media_type", $"a {type} body: set the integration's format (TTS) or encoding (ChirpStack) to JSON"));
            return;
        }

        var max = ingest.Options.MaxBodyBytes;
        if (context.Request.ContentLength > max)
        {
            ingest.Count(IngestOutcome.TooLarge);
            await AnswerAsync(context, ingest, started, StatusCodes.Status413PayloadTooLarge, TooLarge(context.Request.ContentLength.Value, max));
            return;
        }

        var (buffer, length) = await ReadBodyAsync(context.Request, max, context.RequestAborted);
        if (buffer is null)
        {
            ingest.Count(IngestOutcome.TooLarge);
            await AnswerAsync(context, ingest, started, StatusCodes.Status413PayloadTooLarge, TooLarge(length, max));
            return;
        }

        var handed = false;
        try
        {
            var body = buffer.AsMemory(0, length);
            var parsed = ingest.Parser.Parse(body, context.Request.Query["event"].FirstOrDefault());
            if (parsed.Kind == UplinkKind.Ignored)
            {
                ingest.Count(IngestOutcome.Ignored);
                context.Response.StatusCode = StatusCodes.Status204NoContent;
                Record(ingest, started, StatusCodes.Status204NoContent);
                return;
            }

            if (parsed.Kind == UplinkKind.Invalid)
            {
                ingest.Count(IngestOutcome.BadRequest);
                deadLetters.AppendAndFlush(new DeadLetterEntry("message", "POST " + ingest.Path, "invalid_uplink", parsed.Reason!, StatusCodes.Status400BadRequest), body.Span);
                await AnswerAsync(context, ingest, started, StatusCodes.Status400BadRequest, new IngestAnswer("bad_request", parsed.Reason));
                return;
            }

            if (CannotStore(store) is { } cannot)
            {
                await RefuseAsync(context, ingest, started, cannot.Reason, cannot.Detail, SpoolRetryAfter);
                return;
            }

            var submitted = ingest.Submit(parsed, buffer, length);
            if (submitted.Refused is { } refused)
            {
                await RefuseAsync(context, ingest, started, refused, refused == RefusalReason.QueueFull ? $"more than HttpIngest:MaxQueued ({options.Value.MaxQueued}) uplinks wait for the pipeline" : "the gateway is stopping", BusyRetryAfter);
                return;
            }

            handed = !submitted.Duplicate;
            bool durable;
            try
            {
                durable = await submitted.Durable!.WaitAsync(options.Value.AnswerTimeout, time, context.RequestAborted);
            }
            catch (TimeoutException)
            {
                // Still in the pipeline: it may yet be stored, and a repeat of it joins this wait instead of entering twice.
                await RefuseAsync(context, ingest, started, RefusalReason.Timeout, $"not durable within HttpIngest:AnswerTimeout ({options.Value.AnswerTimeout.TotalSeconds:0.#} s)", BusyRetryAfter);
                return;
            }

            if (!durable)
            {
                await RefuseAsync(context, ingest, started, RefusalReason.Stopping, "the gateway stopped before the uplink was durable", BusyRetryAfter);
                return;
            }

            ingest.Count(submitted.Duplicate ? IngestOutcome.Duplicate : IngestOutcome.Stored);
            await AnswerAsync(context, ingest, started, StatusCodes.Status200OK, new IngestAnswer(submitted.Duplicate ? "duplicate" : "stored"));
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The sender hung up; a queued uplink is still stored.
        }
        finally
        {
            if (!handed)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private static (RefusalReason Reason, string Detail)? CannotStore(StoreStatus? store) => store switch
    {
        { SpoolFull: true, FullPolicy: SpoolFullPolicy.Block } => (RefusalReason.SpoolFull, $"InfluxDB is not taking writes ({store.LastError ?? "down"}) and the spool is full ({store.SpoolBytes} of {store.SpoolMaxBytes} bytes, Spool:FullPolicy Block)"),
        { SpoolError: { } error, InfluxDown: true } => (RefusalReason.SpoolError, $"InfluxDB is not taking writes and the spool cannot be written: {error}"),
        _ => null,
    };

    private static Task RefuseAsync(HttpContext context, HttpIngestSource ingest, long started, RefusalReason reason, string detail, TimeSpan retryAfter)
    {
        ingest.CountRefusal(reason, detail);
        context.Response.Headers.RetryAfter = ((int)retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        return AnswerAsync(context, ingest, started, StatusCodes.Status503ServiceUnavailable, new IngestAnswer("refused", detail));
    }

    private static IngestAnswer TooLarge(long length, int max) =>
        new("too_large", $"the body has {(length > max ? $"{length}" : $"more than {max}")} bytes; this source takes at most {max} (HttpIngest:Sources:N:MaxBodyBytes)");

    /// <summary>The body in a pooled buffer, or a null buffer once it passes <paramref name="max"/> bytes.</summary>
    private static async Task<(byte[]? Buffer, int Length)> ReadBodyAsync(HttpRequest request, int max, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(request.ContentLength ?? 4096, max) + 1);
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (length > max)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return (null, length);
                }

                var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, max + 1));
                buffer.AsSpan(0, length).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = bigger;
            }

            var n = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken);
            if (n == 0)
            {
                break;
            }

            length += n;
        }

        if (length > max)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return (null, length);
        }

        return (buffer, length);
    }

    private static Task AnswerAsync(HttpContext context, HttpIngestSource? ingest, long started, int status, IngestAnswer answer)
    {
        context.Response.StatusCode = status;
        Record(ingest, started, status);
        return context.Response.WriteAsJsonAsync(answer, context.RequestAborted);
    }

    private static void Record(HttpIngestSource? ingest, long started, int status)
    {
        if (ingest is not null)
        {
            HttpIngestMetrics.AnswerSeconds.Record(ingest.Time.GetElapsedTime(started).TotalSeconds,
                new KeyValuePair<string, object?>("source", ingest.Name), new KeyValuePair<string, object?>("code", status));
        }
    }
}
