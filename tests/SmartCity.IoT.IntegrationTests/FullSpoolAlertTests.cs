using SmartCity.IoT.Gateway.Pipeline;
using SmartCity.IoT.Influx;
using SmartCity.IoT.IntegrationTests.Infrastructure;
using SmartCity.IoT.Testing;
using Xunit.Abstractions;

namespace SmartCity.IoT.IntegrationTests;

/// <summary>
/// Issue 13: InfluxDB down and the spool full under the Block policy, so no reading can be stored: the gateway holds
/// further messages unacknowledged and still evaluates them, so an alert reaches the webhook; once InfluxDB is back every
/// reading is stored.
/// </summary>
public sealed class FullSpoolAlertTests(ITestOutputHelper output)
{
    private const string Rule = """
        rules:
          - name: it_full_co2
            match: { family: environment }
            expr: co2 > 1000
            severity: critical
        """;

    [Fact]
    public async Task An_alert_goes_out_while_a_full_spool_under_Block_holds_every_reading()
    {
        using var influxServer = new InfluxServer();
        await influxServer.StartAsync();
        using var influx = new InfluxHttp(influxServer.Url);
        const string database = "fullspool";
        await influx.CreateDatabaseAsync(database);
        influxServer.Stop();
        await using var receiver = await WebhookReceiver.StartAsync();
        var rulesDir = Directory.CreateTempSubdirectory("smartcity-fullspool-rules-").FullName;
        await File.WriteAllTextAsync(Path.Combine(rulesDir, "it.yaml"), Rule);

        await using var gateway = await GatewayInstance.StartAsync(s =>
        {
            s["Influx:Url"] = influxServer.Url;
            s["Influx:Api"] = "v1";
            s["Influx:Database"] = database;
            s["Influx:RetryBudget"] = "00:00:00.500";
            s["Influx:ReplayMaxDelay"] = "00:00:01";
            s["Spool:SegmentBytes"] = "4096";
            s["Spool:MaxBytes"] = "8192";
            s["Spool:FullPolicy"] = "Block";
            s["Pipeline:BatchSize"] = "10";
            s["Pipeline:HoldAfter"] = "00:00:01";
            s["Gateway:RulesPath"] = rulesDir;
            receiver.AddEndpointTo(s);
        });

        var tag = Guid.NewGuid().ToString("N")[..6];
        var published = 0;
        await using var publisher = await TestPublisher.ConnectAsync(TestEnvironment.MosquittoPort);
        var assembler = gateway.Get<BatchAssembler>();
        var store = gateway.Get<StoreStatus>();
        var stats = gateway.Get<PipelineStats>();
        try
        {
            // Normal readings until the spool is full and the pipeline holds what follows.
            for (var i = 0; i < 2000 && !(store.SpoolFull && assembler.Holding); i++)
            {
                await publisher.PublishAsync(Topic($"ies-fs-{tag}-{i % 20}"), Payload(600));
                published++;
                if (i % 20 == 19)
                {
                    await Task.Delay(100);
                }
            }

            await Eventually.WaitAsync(() => Task.FromResult(store.SpoolFull && assembler.Holding), h => h, TimeSpan.FromSeconds(30), "a full spool and the pipeline holding what it cannot store");
            output.WriteLine($"spool full and holding after {published} readings; {assembler.HeldMessages} held, {stats.Acknowledged} acknowledged");

            var alerting = $"ies-fs-{tag}-alert";
            await publisher.PublishAsync(Topic(alerting), Payload(1800));
            published++;
            await Eventually.WaitAsync(
                () => Task.FromResult(receiver.Received.Any(r => r.Body.Contains(alerting, StringComparison.Ordinal))),
                got => got, TimeSpan.FromSeconds(30), "the firing webhook while the readings are held");
            Assert.True(store.SpoolFull, "the spool had room after all: the test did not fill it");
            Assert.True(stats.Acknowledged < published, $"{stats.Acknowledged} of {published} acknowledged: the readings were not held");

            await influxServer.StartAsync();
            var stored = await Eventually.WaitAsync(
                async () => (await influx.QueryAsync(database, $"SELECT count(co2) FROM environment WHERE device =~ /^ies-fs-{tag}-/")).Select(r => r["count"].GetInt64()).FirstOrDefault(),
                n => n >= published, TimeSpan.FromSeconds(90), $"all {published} readings in InfluxDB");
            Assert.Equal(published, stored);
        }
        catch (TimeoutException)
        {
            output.WriteLine($"published {published}, holding {assembler.Holding} ({assembler.HeldMessages} held)");
            throw;
        }
    }

    // One millisecond apart: two readings of one device never share a timestamp (InfluxDB would keep one point).
    private static long _ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private static string Topic(string device) => Co2Reading.Topic(device, floor: 5);

    private static byte[] Payload(int co2) => Co2Reading.Payload(co2, Interlocked.Increment(ref _ts));
}
