using SmartCity.IoT.Devices;
using SmartCity.IoT.IntegrationTests.Infrastructure;
using SmartCity.IoT.Mqtt;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.IntegrationTests;

/// <summary>Issue 6, fault test 3: Mosquitto restarted mid-stream; the gateway reconnects, resubscribes and loses nothing.</summary>
public sealed class BrokerRestartTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task Readings_published_around_a_broker_restart_all_reach_InfluxDB()
    {
        using var broker = new MosquittoInstance();
        await broker.StartAsync();
        using var influx = new InfluxHttp(TestEnvironment.InfluxUrl);
        var database = InfluxHttp.NewDatabaseName("brokerrestart");
        await influx.CreateDatabaseAsync(database);

        await using var gateway = await GatewayInstance.StartAsync(s =>
        {
            s["Mqtt:Port"] = broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            s["Mqtt:ReconnectMinDelay"] = "00:00:00.200";
            s["Mqtt:ReconnectMaxDelay"] = "00:00:01";
            s["Influx:Url"] = TestEnvironment.InfluxUrl;
            s["Influx:Api"] = "v1";
            s["Influx:Database"] = database;
        });
        var client = gateway.Get<MqttIngestClient>();
        var messages = SampleTraffic.Build(gateway.Get<DeviceCatalog>(), 1500, "brk" + Guid.NewGuid().ToString("N")[..4]);

        await using (var publisher = await TestPublisher.ConnectAsync(broker.Port))
        {
            for (var i = 0; i < messages.Count; i++)
            {
                if (i == 700)
                {
                    broker.Stop();
                    await broker.StartAsync();
                }

                await publisher.PublishWithRetryAsync(messages[i].Topic, messages[i].Payload, TimeSpan.FromSeconds(30), $"message {i}");
            }
        }

        foreach (var (profile, measurement, field, count) in SampleTraffic.Expected(messages))
        {
            var stored = 0;
            try
            {
                stored = await Eventually.WaitAsync(() => influx.DeviceCountAsync(database, measurement, field, profile), n => n >= count, TimeSpan.FromSeconds(60), $"{count} {profile} devices after the broker restart");
            }
            catch (TimeoutException)
            {
                var rows = await influx.QueryAsync(database, $"SELECT count(\"{field}\") FROM \"{measurement}\" WHERE \"model\" = '{profile}' GROUP BY \"device\"");
                var have = rows.Select(r => r["device"].GetString()).ToHashSet();
                var missing = messages.Select((m, i) => (m, i)).Where(x => x.m.ProfileId == profile && !have.Contains(x.m.DeviceId)).Select(x => $"#{x.i} {x.m.Topic}");
                output.WriteLine("missing: " + string.Join("; ", missing));
                output.WriteLine(broker.Output);
                throw;
            }

            Assert.Equal(count, stored);
        }

        Assert.True(client.Reconnects >= 1, "the gateway should have reconnected after the restart");
        Assert.True(client.SessionPresent, "the broker should have kept the gateway's persistent session across its restart");
    }
}
