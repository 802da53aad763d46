using System.Net.Http.Headers;
using SmartCity.IoT.Alerts.Options;
using SmartCity.IoT.Alerts.Routing;
using SmartCity.IoT.Alerts.Signing;

namespace SmartCity.IoT.Alerts.Delivery;

/// <summary>
/// One webhook attempt as every dispatcher sends it (the outbox's and the replicated stream's): the Standard Webhooks
/// headers and signature, the endpoint's own headers; and the retry policy applied to its answer.
/// </summary>
internal static class WebhookRequest
{
    public static HttpRequestMessage Create(WebhookEndpoint endpoint, string webhookId, string contentType, byte[] body, DateTimeOffset now)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        var timestamp = now.ToUnixTimeSeconds();
        request.Headers.TryAddWithoutValidation(WebhookSigner.IdHeader, webhookId);
        request.Headers.TryAddWithoutValidation(WebhookSigner.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (endpoint.Secrets.Count > 0)
        {
            request.Headers.TryAddWithoutValidation(WebhookSigner.SignatureHeader, WebhookSigner.Sign(webhookId, timestamp, body, endpoint.Secrets));
        }

        request.Headers.UserAgent.ParseAdd("SmartCity.IoT-Alerts/1.0");
        foreach (var (name, value) in endpoint.Options.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    /// <summary>An answer worth trying again later: timeouts, rate limits and server errors.</summary>
    public static bool IsRetryable(int statusCode) => statusCode is 408 or 429 || statusCode >= 500;

    /// <summary>The wait after failed attempt number <paramref name="attempt"/> (1-based): the schedule's step with jitter, never shorter than Retry-After.</summary>
    public static TimeSpan RetryDelay(AlertsOptions options, int attempt, TimeSpan? retryAfter, double random)
    {
        var schedule = options.EffectiveSchedule;
        var step = schedule[Math.Clamp(attempt - 1, 0, schedule.Count - 1)];
        var factor = 1 + (options.RetryJitter * ((2 * random) - 1));
        var delay = step * Math.Max(0, factor);
        if (retryAfter is { } ra)
        {
            var capped = ra < options.MaxRetryAfter ? ra : options.MaxRetryAfter;
            delay = delay > capped ? delay : capped;
        }

        return delay;
    }

    /// <summary>The receiver's Retry-After (429, 503) as a wait from <paramref name="now"/>, or null.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now)
    {
        if ((int)response.StatusCode is not (429 or 503))
        {
            return null;
        }

        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            return date > now ? date - now : TimeSpan.Zero;
        }

        return null;
    }
}
