using System.Text.Json;
using SmartCity.IoT.IntegrationTests.Infrastructure;
using SmartCity.IoT.Testing;
using Xunit.Abstractions;

namespace SmartCity.IoT.IntegrationTests;

/// <summary>
/// Issue 13's bar for alerts, on real Mosquitto, InfluxDB 1.6.7 and a real HTTP receiver: episodes fire and resolve while
/// the gateway is SIGKILLed at random moments (right after a rule checkpoint, right after a webhook arrived, at a random
/// delay) and InfluxDB is stopped for two of the rounds. The receiver, de-duplicating on <c>webhook-id</c>, sees exactly
/// one firing and one resolve per episode, and every reading is in InfluxDB at the end.
/// </summary>
public sealed class AlertChaosTests(ITestOutputHelper output)
{
    private const string Rule = """
        rules:
          - name: it_chaos_co2
            match: { family: environment }
            expr: co2 > 1000
            clear: co2 < 900
            severity: critical
        """;

    private const int Rounds = 4;
    private const int DevicesPerRound = 5;

    private enum KillPoint
    {
        None,
        AfterCheckpoint,
        AfterWebhook,
        RandomDelay,
    }

    [Fact]
    public async Task Every_alert_episode_is_delivered_once_firing_and_once_resolved_through_SIGKILLs_and_an_InfluxDB_outage()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        output.WriteLine($"seed {seed}");

        using var influxServer = new InfluxServer();
        await influxServer.StartAsync();
        using var influx = new InfluxHttp(influxServer.Url);
        const string database = "chaos";
        await influx.CreateDatabaseAsync(database);
        // Slow answers keep deliveries in flight, so some kills land while the gateway waits for the receiver's 2xx.
        await using var receiver = await WebhookReceiver.StartAsync(() => TimeSpan.FromMilliseconds(Random.Shared.Next(0, 400)));

        var dataDir = Directory.CreateTempSubdirectory("smartcity-alertchaos-").FullName;
        var rulesDir = Directory.CreateDirectory(Path.Combine(dataDir, "rules")).FullName;
        await File.WriteAllTextAsync(Path.Combine(rulesDir, "it.yaml"), Rule);
        var settings = GatewayInstance.DefaultSettings(dataDir, TestEnvironment.MosquittoPort);
        var baseUrl = $"http://127.0.0.1:{FreePort.Next()}";
        settings["Http:Urls"] = baseUrl;
        settings["Gateway:RulesPath"] = rulesDir;
        settings["Gateway:RulesCheckpointInterval"] = "00:00:01";
        settings["Influx:Url"] = influxServer.Url;
        settings["Influx:Api"] = "v1";
        settings["Influx:Database"] = database;
        settings["Influx:RetryBudget"] = "00:00:01";
        settings["Influx:ReplayMaxDelay"] = "00:00:01";
        receiver.AddEndpointTo(settings);
        settings["Webhooks:0:Timeout"] = "00:00:05";
        settings["Alerts:GroupInterval"] = "00:00:01";
        settings["Alerts:RetrySchedule:0"] = "00:00:00.500";
        settings["Alerts:RetrySchedule:1"] = "00:00:01";
        settings["Alerts:RetrySchedule:2"] = "00:00:02";
        settings["Alerts:RetrySchedule:3"] = "00:00:02";
        settings["Alerts:RetrySchedule:4"] = "00:00:02";
        var checkpoint = settings["Gateway:RulesCheckpointPath"]!;
        using var gateway = new GatewayProcess(GatewayProcess.WriteConfig(dataDir, settings));
        gateway.Start();
        await GatewayProcess.WaitAliveAsync(baseUrl);

        var devices = new List<string>();
        var kills = 0;
        try
        {
            await using var publisher = await TestPublisher.ConnectAsync(TestEnvironment.MosquittoPort);
            for (var round = 0; round < Rounds; round++)
            {
                if (round == 1)
                {
                    influxServer.Stop();
                    output.WriteLine("round 1: InfluxDB stopped");
                }
                else if (round == 3)
                {
                    await influxServer.StartAsync();
                    output.WriteLine("round 3: InfluxDB started again");
                }

                var roundDevices = Enumerable.Range(0, DevicesPerRound).Select(i => $"ies-chaos-{round}{i}-{Guid.NewGuid():N}"[..22]).ToList();
                devices.AddRange(roundDevices);
                foreach (var phase in new[] { 1800, 700 })
                {
                    var received = receiver.Received.Count;
                    foreach (var device in roundDevices)
                    {
                        await publisher.PublishAsync(Co2Reading.Topic(device), Co2Reading.Payload(phase));
                    }

                    var point = (KillPoint)random.Next(0, 4);
                    if (await KillAtAsync(point, gateway, checkpoint, receiver, received, random))
                    {
                        kills++;
                        output.WriteLine($"round {round}, co2 {phase}: SIGKILL at {point}");
                        gateway.Start();
                        await GatewayProcess.WaitAliveAsync(baseUrl);
                    }

                    if (phase > 1000)
                    {
                        // An episode that fires and resolves within one routing pass is never announced (as in
                        // Alertmanager), so the normal readings follow only once every firing of the round is out.
                        await Eventually.WaitAsync(() => Task.FromResult(roundDevices.Count(d => DistinctIds(receiver, d, "firing") >= 1)), n => n == roundDevices.Count, TimeSpan.FromSeconds(60), $"the firings of round {round}");
                    }
                }
            }

            // Positive signal first: every episode's firing and resolve arrived...
            await Eventually.WaitAsync(
                () => Task.FromResult(devices.Count(d => DistinctIds(receiver, d, "firing") >= 1 && DistinctIds(receiver, d, "resolved") >= 1)),
                n => n == devices.Count, TimeSpan.FromSeconds(120), $"a firing and a resolve for each of {devices.Count} devices");
            // ...then a quiet spell in which a doubled notification would show up.
            await Task.Delay(TimeSpan.FromSeconds(3));
        }
        catch (TimeoutException)
        {
            foreach (var device in devices)
            {
                output.WriteLine($"{device}: {DistinctIds(receiver, device, "firing")} firing, {DistinctIds(receiver, device, "resolved")} resolved");
            }

            output.WriteLine(gateway.Output);
            throw;
        }
        finally
        {
            gateway.Stop();
        }

        output.WriteLine($"{kills} SIGKILLs, {receiver.Received.Count} webhook requests for {devices.Count} episodes");
        Assert.True(kills >= 2, $"only {kills} kills happened: the chaos did not happen (seed {seed})");
        var wrong = devices.Where(d => DistinctIds(receiver, d, "firing") != 1 || DistinctIds(receiver, d, "resolved") != 1).ToList();
        if (wrong.Count > 0)
        {
            foreach (var r in receiver.Received.Where(r => wrong.Any(d => r.Body.Contains(d, StringComparison.Ordinal))))
            {
                output.WriteLine($"{r.Headers["webhook-id"]}: {r.Body}");
            }

            output.WriteLine(gateway.Output);
        }

        Assert.True(wrong.Count == 0, string.Join("; ", wrong.Select(d => $"{d}: {DistinctIds(receiver, d, "firing")} distinct firing and {DistinctIds(receiver, d, "resolved")} distinct resolve notifications")) + $" (seed {seed})");

        var stored = await Eventually.WaitAsync(
            async () => (await influx.QueryAsync(database, "SELECT count(co2) FROM environment WHERE device =~ /^ies-chaos-/")).Select(r => r["count"].GetInt64()).FirstOrDefault(),
            n => n >= devices.Count * 2, TimeSpan.FromSeconds(60), "every reading in InfluxDB");
        Assert.Equal(devices.Count * 2, stored);
    }

    private static async Task<bool> KillAtAsync(KillPoint point, GatewayProcess gateway, string checkpoint, WebhookReceiver receiver, int receivedBefore, Random random)
    {
        switch (point)
        {
            case KillPoint.AfterCheckpoint:
                var written = File.Exists(checkpoint) ? File.GetLastWriteTimeUtc(checkpoint) : DateTime.MinValue;
                await Eventually.WaitAsync(() => Task.FromResult(File.Exists(checkpoint) ? File.GetLastWriteTimeUtc(checkpoint) : DateTime.MinValue), t => t > written, TimeSpan.FromSeconds(20), "the next rule checkpoint");
                break;
            case KillPoint.AfterWebhook:
                await Eventually.WaitAsync(() => Task.FromResult(receiver.Received.Count), n => n > receivedBefore, TimeSpan.FromSeconds(30), "a webhook of this phase");
                break;
            case KillPoint.RandomDelay:
                await Task.Delay(random.Next(0, 1500));
                break;
            default:
                return false;
        }

        gateway.Kill();
        return true;
    }

    private static int DistinctIds(WebhookReceiver receiver, string device, string status) =>
        receiver.Received
            .Where(r => Alerts(r).Any(a => a.GetProperty("device").GetString() == device && a.GetProperty("status").GetString() == status))
            .Select(r => r.Headers["webhook-id"])
            .Distinct(StringComparer.Ordinal)
            .Count();

    private static IEnumerable<JsonElement> Alerts(ReceivedWebhook webhook) => webhook.Json.GetProperty("alerts").EnumerateArray();
}
