using System.Globalization;
using System.Text.Json;
using MQTTnet.Formatter;
using SmartCity.IoT.Devices;
using SmartCity.IoT.IntegrationTests.Infrastructure;
using SmartCity.IoT.Testing;
using Xunit.Abstractions;

namespace SmartCity.IoT.IntegrationTests;

/// <summary>Issue 19: one gateway reading Mosquitto (MQTT 5) and nats-server (3.1.1) at once, each shown with its own state.</summary>
public sealed class SeveralSourcesTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Two_brokers_feed_one_gateway_and_the_status_shows_each()
    {
        var natsPort = Environment.GetEnvironmentVariable("SMARTCITY_TEST_NATS_MQTT_PORT") is { Length: > 0 } v
            ? int.Parse(v, CultureInfo.InvariantCulture)
            : throw new InvalidOperationException("SMARTCITY_TEST_NATS_MQTT_PORT is not set: run ./test.sh, which starts nats-server's MQTT listener");
        using var influx = new InfluxHttp(TestEnvironment.InfluxUrl);
        var database = InfluxHttp.NewDatabaseName("sources");
        await influx.CreateDatabaseAsync(database);
        var dataDir = Directory.CreateTempSubdirectory("smartcity-sources-").FullName;
        var settings = GatewayInstance.DefaultSettings(dataDir, TestEnvironment.MosquittoPort);
        settings.Remove("Mqtt:Host");
        settings.Remove("Mqtt:Port");
        settings["Mqtt:Sources:0:Name"] = "site";
        settings["Mqtt:Sources:0:Host"] = "127.0.0.1";
        settings["Mqtt:Sources:0:Port"] = TestEnvironment.MosquittoPort.ToString(CultureInfo.InvariantCulture);
        settings["Mqtt:Sources:1:Name"] = "lora";
        settings["Mqtt:Sources:1:Host"] = "127.0.0.1";
        settings["Mqtt:Sources:1:Port"] = natsPort.ToString(CultureInfo.InvariantCulture);
        settings["Mqtt:Sources:1:QualityOfService"] = "0";
        settings["Influx:Url"] = TestEnvironment.InfluxUrl;
        settings["Influx:Api"] = "v1";
        settings["Influx:Database"] = database;
        settings["Http:Urls"] = $"http://127.0.0.1:{FreePort.Next()}";
        using var gateway = new GatewayProcess(GatewayProcess.WriteConfig(dataDir, settings));
        gateway.Start();
        try
        {
            await GatewayProcess.WaitReadyAsync(settings["Http:Urls"]!);
            var catalog = DeviceCatalog.Load(RepoPaths.Devices);
            var site = SampleTraffic.Build(catalog, 40, "site" + Guid.NewGuid().ToString("N")[..4]);
            var lora = SampleTraffic.Build(catalog, 40, "lora" + Guid.NewGuid().ToString("N")[..4], SampleTraffic.DotFreeTopics(catalog));
            await using (var p = await TestPublisher.ConnectAsync(TestEnvironment.MosquittoPort))
            {
                foreach (var m in site)
                {
                    await p.PublishAsync(m.Topic, m.Payload);
                }
            }

            await using (var p = await TestPublisher.ConnectAsync(natsPort, MqttProtocolVersion.V311))
            {
                foreach (var m in lora)
                {
                    await p.PublishAsync(m.Topic, m.Payload);
                }
            }

            await influx.AssertAllStoredAsync(database, site.Concat(lora), TimeSpan.FromSeconds(60), "from both sources");

            using var http = new HttpClient { BaseAddress = new Uri(settings["Http:Urls"]!) };
            using var status = JsonDocument.Parse(await http.GetStringAsync("/api/status"));
            var sources = status.RootElement.GetProperty("sources").EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!);
            Assert.Equal(["lora", "site"], sources.Keys.Order());
            Assert.True(sources["site"].GetProperty("connected").GetBoolean());
            Assert.Equal("5", sources["site"].GetProperty("protocol").GetString());
            Assert.StartsWith("at least once", sources["site"].GetProperty("delivery").GetString(), StringComparison.Ordinal);
            Assert.Equal("3.1.1", sources["lora"].GetProperty("protocol").GetString());
            Assert.StartsWith("at most once", sources["lora"].GetProperty("delivery").GetString(), StringComparison.Ordinal);
            Assert.Equal(40, sources["lora"].GetProperty("receivedAtMostOnce").GetInt64());
            var page = await http.GetStringAsync("/flow"); // the data-flow page holds the source cards
            Assert.Contains("Source lora", page, StringComparison.Ordinal);
            Assert.Contains("Source site", page, StringComparison.Ordinal);
            var metrics = await http.GetStringAsync("/metrics");
            Assert.Contains("source=\"lora\"", metrics, StringComparison.Ordinal);
            Assert.Contains(metrics.Split('\n'), l => l.StartsWith("smartcity_iot_mqtt_at_least_once", StringComparison.Ordinal) && l.Contains("source=\"lora\"", StringComparison.Ordinal) && l.TrimEnd().EndsWith(" 0", StringComparison.Ordinal));
        }
        catch (Exception)
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
