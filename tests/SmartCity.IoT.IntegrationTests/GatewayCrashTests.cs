using SmartCity.IoT.Devices;
using SmartCity.IoT.IntegrationTests.Infrastructure;
using SmartCity.IoT.Testing;
using Xunit.Abstractions;

namespace SmartCity.IoT.IntegrationTests;

/// <summary>Issue 6, fault test 2: SIGKILL of the gateway process three times during a QoS 1 stream loses nothing.</summary>
public sealed class GatewayCrashTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Killing_the_gateway_three_times_mid_stream_loses_no_reading()
    {
        using var influx = new InfluxHttp(TestEnvironment.InfluxUrl);
        var database = InfluxHttp.NewDatabaseName("crash");
        await influx.CreateDatabaseAsync(database);
        var dataDir = Directory.CreateTempSubdirectory("smartcity-crash-").FullName;
        var settings = GatewayInstance.DefaultSettings(dataDir, TestEnvironment.MosquittoPort);
        settings["Mqtt:ClientId"] = "crash-gateway-" + Guid.NewGuid().ToString("N")[..6]; // stable across the restarts: the session survives
        settings["Mqtt:SessionExpiry"] = "00:10:00";
        settings["Influx:Url"] = TestEnvironment.InfluxUrl;
        settings["Influx:Api"] = "v1";
        settings["Influx:Database"] = database;
        settings["Pipeline:BatchSize"] = "200";
        settings["Http:Urls"] = $"http://127.0.0.1:{FreePort.Next()}";
        var config = GatewayProcess.WriteConfig(dataDir, settings);

        var catalog = DeviceCatalog.Load(RepoPaths.Devices);
        var messages = SampleTraffic.Build(catalog, 3000, "crash" + Guid.NewGuid().ToString("N")[..4]);

        using var gateway = new GatewayProcess(config);
        gateway.Start();
        await GatewayProcess.WaitReadyAsync(settings["Http:Urls"]!);

        // Random kill points, printed so a failing run can be reproduced.
        var killAt = new HashSet<int>();
        while (killAt.Count < 3)
        {
            killAt.Add(Random.Shared.Next(300, messages.Count - 300));
        }

        output.WriteLine($"kill points: {string.Join(", ", killAt.Order())}");
        await using (var publisher = await TestPublisher.ConnectAsync(TestEnvironment.MosquittoPort))
        {
            await SampleTraffic.PublishSteadilyAsync(publisher, messages, async i =>
            {
                if (killAt.Contains(i))
                {
                    gateway.Kill();
                    output.WriteLine($"killed the gateway after publishing {i + 1} messages");
                    gateway.Start();
                    await GatewayProcess.WaitReadyAsync(settings["Http:Urls"]!); // the next kill lands on a running, connected gateway
                }
            });
        }

        try
        {
            await influx.AssertAllStoredAsync(database, messages, TimeSpan.FromSeconds(90), "after three kills");
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
    }
}
