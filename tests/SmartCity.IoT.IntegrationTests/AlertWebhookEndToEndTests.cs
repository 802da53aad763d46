using System.Text;
using SmartCity.IoT.IntegrationTests.Infrastructure;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.IntegrationTests;

/// <summary>Issue 2 (c): a real HTTP receiver gets an alert firing and then resolved, and InfluxDB records both transitions.</summary>
public sealed class AlertWebhookEndToEndTests
{
    private const string Rule = """
        rules:
          - name: it_co2_high
            match: { family: environment }
            expr: co2 > 1000
            clear: co2 < 900
            severity: warning
            annotations:
              summary: "CO2 {{ value:0 }} ppm on {{ building }}/{{ floor }}"
        """;

    [Fact]
    public async Task A_CO2_excursion_reaches_the_webhook_as_firing_then_resolved()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var influx = new InfluxHttp(TestEnvironment.InfluxUrl);
        var database = InfluxHttp.NewDatabaseName("alerts");
        await influx.CreateDatabaseAsync(database);
        var rulesDir = Directory.CreateTempSubdirectory("smartcity-rules-").FullName;
        await File.WriteAllTextAsync(Path.Combine(rulesDir, "it.yaml"), Rule);

        await using var gateway = await GatewayInstance.StartAsync(s =>
        {
            s["Gateway:RulesPath"] = rulesDir;
            GatewayInstance.WriteTo(s, database);
            receiver.AddEndpointTo(s);
            s["Webhooks:0:MinSeverity"] = "Info";
            s["Alerts:GroupInterval"] = "00:00:01";
        });

        var device = "ies-it-" + Guid.NewGuid().ToString("N")[..6];
        var topic = $"buildings/hq/floors/7/env/{device}/telemetry";
        var ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await using (var publisher = await TestPublisher.ConnectAsync(TestEnvironment.MosquittoPort))
        {
            await publisher.PublishAsync(topic, Payload(ts, 1650));
            await Eventually.WaitAsync(() => Task.FromResult(receiver.Received.Count), n => n >= 1, TimeSpan.FromSeconds(30), "the firing webhook");
            await publisher.PublishAsync(topic, Payload(ts + 60_000, 850));
        }

        await Eventually.WaitAsync(() => Task.FromResult(receiver.Received.Count), n => n >= 2, TimeSpan.FromSeconds(30), "the resolved webhook");
        var received = receiver.Received.ToArray();
        var firing = received[0];
        Assert.Equal("firing", firing.Json.GetProperty("status").GetString());
        Assert.Contains(device, firing.Body, StringComparison.Ordinal);
        Assert.Contains("CO2 1650 ppm on hq/7", firing.Body, StringComparison.Ordinal);
        Assert.StartsWith("v1,", firing.Headers["webhook-signature"], StringComparison.Ordinal);
        Assert.Equal("resolved", received[^1].Json.GetProperty("status").GetString());
        Assert.NotEqual(firing.Headers["webhook-id"], received[^1].Headers["webhook-id"]);

        // Both transitions are in the alerts measurement for dashboards.
        var rows = await Eventually.WaitAsync(
            () => influx.QueryAsync(database, $"SELECT * FROM \"alerts\" WHERE \"device\" = '{device}'"),
            r => r.Count >= 2, TimeSpan.FromSeconds(30), "two alert transitions in InfluxDB");
        Assert.Contains(rows, r => r["status"].GetString() == "firing");
        Assert.Contains(rows, r => r["status"].GetString() == "resolved");
    }

    private static byte[] Payload(long ts, int co2) =>
        Encoding.UTF8.GetBytes("{\"ts\":" + ts + ",\"climate\":{\"t\":23.1,\"rh\":55.0},\"air\":{\"co2\":" + co2 + ",\"tvoc\":0.2,\"pm\":{\"pm2_5\":8.0,\"pm10\":15.0}}}");
}
