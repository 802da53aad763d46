using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SmartCity.IoT.Influx.Tests.Fixtures;

/// <summary>What the fault server saw in one request (body already un-gzipped).</summary>
public sealed record FaultRequest(int Number, TimeSpan At, string PathAndQuery, string? Authorization, string? ContentEncoding, string Body)
{
    public string[] Lines => Body.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>What the fault server answers.</summary>
public sealed record FaultResponse(int Status, string Body = "", string? RetryAfter = null, string? InfluxVersion = null, TimeSpan Delay = default);

/// <summary>
/// A Kestrel server on 127.0.0.1 that answers every request with whatever <see cref="Respond"/> decides,
/// to inject the failure modes a real InfluxDB will not produce on demand (413, 429, 503, 401, 500).
/// </summary>
public sealed class FaultServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _count;

    private FaultServer(WebApplication app) => _app = app;

    public Func<FaultRequest, FaultResponse> Respond { get; set; } = _ => new FaultResponse(204);

    public ConcurrentQueue<FaultRequest> Requests { get; } = new();

    public string Url { get; private set; } = "";

    public static async Task<FaultServer> StartAsync(Func<FaultRequest, FaultResponse>? respond = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new FaultServer(app);
        if (respond is not null)
        {
            server.Respond = respond;
        }

        app.Run(server.HandleAsync);
        await app.StartAsync();
        server.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return server;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var encoding = context.Request.Headers.ContentEncoding.ToString();
        Stream body = context.Request.Body;
        if (encoding == "gzip")
        {
            body = new GZipStream(body, CompressionMode.Decompress);
        }

        using var reader = new StreamReader(body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync();
        var request = new FaultRequest(
            Interlocked.Increment(ref _count), _clock.Elapsed, context.Request.Path + context.Request.QueryString,
            context.Request.Headers.Authorization.ToString() is { Length: > 0 } a ? a : null, encoding.Length > 0 ? encoding : null, text);
        Requests.Enqueue(request);
        var response = Respond(request);
        if (response.Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(response.Delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        context.Response.StatusCode = response.Status;
        if (response.RetryAfter is not null)
        {
            context.Response.Headers.RetryAfter = response.RetryAfter;
        }

        if (response.InfluxVersion is not null)
        {
            context.Response.Headers["X-Influxdb-Version"] = response.InfluxVersion;
        }

        if (response.Body.Length > 0)
        {
            context.Response.ContentType = response.Body.StartsWith('{') ? "application/json" : "text/plain";
            await context.Response.WriteAsync(response.Body);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
