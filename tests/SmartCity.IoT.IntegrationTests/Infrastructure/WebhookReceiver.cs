using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace SmartCity.IoT.IntegrationTests.Infrastructure;

/// <summary>A real HTTP receiver (Kestrel on 127.0.0.1) that records every webhook it gets.</summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WebhookReceiver(WebApplication app)
    {
        _app = app;
    }

    /// <summary>A valid Standard Webhooks secret for the endpoints the tests configure (an endpoint without one does not start).</summary>
    public const string TestSecret = "whsec_aW50ZWdyYXRpb24tdGVzdC1zZWNyZXQtMzItYnl0ZXM=";

    public ConcurrentQueue<ReceivedWebhook> Received { get; } = new();

    public string Url => _app.Urls.First() + "/hook";

    /// <summary>
    /// Makes this receiver the gateway's webhook endpoint "oncall", signed with <see cref="TestSecret"/>, and has
    /// notifications sent at once: no group wait, the outbox polled every 100 ms.
    /// </summary>
    public void AddEndpointTo(Dictionary<string, string?> settings)
    {
        settings["Webhooks:0:Name"] = "oncall";
        settings["Webhooks:0:Url"] = Url;
        settings["Webhooks:0:Secret"] = TestSecret;
        settings["Alerts:GroupWait"] = "00:00:00";
        settings["Alerts:PollInterval"] = "00:00:00.100";
    }

    /// <param name="answerDelay">How long to wait before answering each request (slow receivers, deliveries in flight at a crash).</param>
    public static async Task<WebhookReceiver> StartAsync(Func<TimeSpan>? answerDelay = null)
    {
        var (app, receiver) = Create();
        app.MapPost("/hook", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync();
            // Recorded on arrival, as a receiver that acts before it answers: a sender that dies before the answer
            // sends the same webhook-id again, which the receiver de-duplicates.
            receiver.Received.Enqueue(new ReceivedWebhook(body, request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString())));
            if (answerDelay?.Invoke() is { } delay && delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, request.HttpContext.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            }

            return Results.Ok();
        });
        await app.StartAsync();
        return receiver;
    }

    /// <summary>A receiver that answers every POST, on any path, with <paramref name="status"/> (a failing or broken receiver).</summary>
    public static async Task<WebhookReceiver> StartAnsweringAsync(int status)
    {
        var (app, receiver) = Create();
        app.MapPost("/{**path}", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync();
            var headers = request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
            headers[":path"] = request.Path + request.QueryString;
            receiver.Received.Enqueue(new ReceivedWebhook(body, headers));
            return Results.StatusCode(status);
        });
        await app.StartAsync();
        return receiver;
    }

    private static (WebApplication App, WebhookReceiver Receiver) Create()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        return (app, new WebhookReceiver(app));
    }

    /// <summary>Stops answering: connections to its port are refused from now on.</summary>
    public Task StopAsync() => _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

internal sealed record ReceivedWebhook(string Body, IReadOnlyDictionary<string, string> Headers)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;
}
