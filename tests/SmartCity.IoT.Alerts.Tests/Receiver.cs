using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SmartCity.IoT.Alerts.Tests;

/// <summary>A real webhook receiver: Kestrel on 127.0.0.1 with a scripted answer per request (by 1-based call number).</summary>
internal sealed class Receiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _calls;

    private Receiver(WebApplication app) => _app = app;

    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    /// <summary>Requests whose handler finished (the receiver answered).</summary>
    public ConcurrentQueue<ReceivedRequest> Answered { get; } = new();

    public string Url { get; private set; } = "";

    public static async Task<Receiver> StartAsync(Func<int, HttpContext, Task> respond, string path = "/hook")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new Receiver(app);
        app.MapPost(path, async (HttpContext ctx) =>
        {
            using var ms = new MemoryStream();
            await ctx.Request.Body.CopyToAsync(ms);
            var call = Interlocked.Increment(ref receiver._calls);
            var req = new ReceivedRequest(call, DateTimeOffset.UtcNow, ctx.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()),
                ms.ToArray(), ctx.Request.ContentType);
            receiver.Requests.Enqueue(req);
            await respond(call, ctx);
            receiver.Answered.Enqueue(req);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Url = address.TrimEnd('/') + path;
        return receiver;
    }

    public static Task<Receiver> StartAsync(params int[] statuses) => StartAsync((call, ctx) =>
    {
        ctx.Response.StatusCode = statuses.Length == 0 ? 200 : statuses[Math.Min(call, statuses.Length) - 1];
        return Task.CompletedTask;
    });

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

internal sealed record ReceivedRequest(int Call, DateTimeOffset At, IReadOnlyDictionary<string, string> Headers, byte[] Body, string? ContentType)
{
    public string BodyText => System.Text.Encoding.UTF8.GetString(Body);

    public System.Text.Json.JsonElement Json => System.Text.Json.JsonDocument.Parse(Body).RootElement;

    public string WebhookId => Headers["webhook-id"];
}
