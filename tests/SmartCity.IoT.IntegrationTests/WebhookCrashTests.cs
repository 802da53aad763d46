using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using SmartCity.IoT.IntegrationTests.Infrastructure;
using SmartCity.IoT.Testing;
using Xunit.Abstractions;

namespace SmartCity.IoT.IntegrationTests;

/// <summary>
/// Issue 5: the gateway process is SIGKILLed while a webhook is stored and in flight (the receiver has not answered);
/// after a restart the notification is delivered once more, with the same webhook-id.
/// </summary>
public sealed class WebhookCrashTests(ITestOutputHelper output)
{
    private const string Rule = """
        rules:
          - name: it_co2_crash
            match: { family: environment }
            expr: co2 > 1000
            severity: critical
        """;

    [Fact]
    public async Task A_webhook_in_flight_when_the_gateway_is_killed_is_delivered_after_restart_with_the_same_id()
    {
        var attempts = new ConcurrentQueue<(string Id, string Body, bool Answered)>();
        var holdFirst = 1;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        await using var receiver = builder.Build();
        receiver.MapPost("/hook", async (HttpRequest request, CancellationToken aborted) =>
        {
            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync(aborted);
            var id = request.Headers["webhook-id"].ToString();
            if (Interlocked.Exchange(ref holdFirst, 0) == 1)
            {
                // Stored and sent, never answered: the gateway dies while waiting for our 2xx.
                attempts.Enqueue((id, body, false));
                await Task.Delay(TimeSpan.FromMinutes(2), aborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return Results.StatusCode(504);
            }

            attempts.Enqueue((id, body, true));
            return Results.Ok();
        });
        await receiver.StartAsync();

        var dataDir = Directory.CreateTempSubdirectory("smartcity-hookcrash-").FullName;
        var rulesDir = Directory.CreateDirectory(Path.Combine(dataDir, "rules")).FullName;
        await File.WriteAllTextAsync(Path.Combine(rulesDir, "it.yaml"), Rule);
        var settings = GatewayInstance.DefaultSettings(dataDir, TestEnvironment.MosquittoPort);
        settings["Http:Urls"] = $"http://127.0.0.1:{FreePort.Next()}";
        settings["Gateway:RulesPath"] = rulesDir;
        settings["Webhooks:0:Name"] = "oncall";
        settings["Webhooks:0:Url"] = receiver.Urls.First() + "/hook";
        settings["Webhooks:0:Secret"] = WebhookReceiver.TestSecret;
        settings["Webhooks:0:Timeout"] = "00:01:00";
        settings["Alerts:GroupWait"] = "00:00:00";
        settings["Alerts:PollInterval"] = "00:00:00.100";
        using var gateway = new GatewayProcess(GatewayProcess.WriteConfig(dataDir, settings));
        gateway.Start();
        await GatewayProcess.WaitReadyAsync(settings["Http:Urls"]!);

        var device = "ies-hook-" + Guid.NewGuid().ToString("N")[..6];
        await using (var publisher = await TestPublisher.ConnectAsync(TestEnvironment.MosquittoPort))
        {
            var ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            await publisher.PublishAsync($"buildings/hq/floors/2/env/{device}/telemetry", Encoding.UTF8.GetBytes("{\"ts\":" + ts + ",\"air\":{\"co2\":1800}}"));
        }

        try
        {
            await Eventually.WaitAsync(() => Task.FromResult(attempts.Count), n => n >= 1, TimeSpan.FromSeconds(30), "the first (held) delivery attempt");
            gateway.Kill();
            gateway.Start();
            await Eventually.WaitAsync(() => Task.FromResult(attempts.Count(a => a.Answered)), n => n >= 1, TimeSpan.FromSeconds(60), "the delivery after restart");
            await Task.Delay(TimeSpan.FromSeconds(3)); // nothing more may arrive: it was acknowledged
        }
        catch (TimeoutException)
        {
            output.WriteLine(gateway.Output);
            throw;
        }
        finally
        {
            gateway.Stop();
        }

        var all = attempts.ToArray();
        var first = all[0];
        Assert.False(first.Answered);
        Assert.Contains(device, first.Body, StringComparison.Ordinal);
        var delivered = Assert.Single(all, a => a.Answered);
        Assert.Equal(first.Id, delivered.Id);
        Assert.Equal(first.Body, delivered.Body);
    }
}
