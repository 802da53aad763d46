using SmartCity.IoT.Devices;
using SmartCity.IoT.IntegrationTests.Infrastructure;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.IntegrationTests;

/// <summary>Issue 2 (a): readings of several device families through Mosquitto into InfluxDB 1.6.7 over /write.</summary>
public sealed class EndToEndInfluxV1Tests
{
    [Fact]
    public async Task Every_published_reading_is_in_InfluxDB_with_its_tags_and_fields()
    {
        using var influx = new InfluxHttp(TestEnvironment.InfluxUrl);
        var database = InfluxHttp.NewDatabaseName("e2e_v1");
        await influx.CreateDatabaseAsync(database);

        await using var gateway = await GatewayInstance.StartAsync(s =>
        {
            s["Influx:Url"] = TestEnvironment.InfluxUrl;
            s["Influx:Api"] = "v1";
            s["Influx:Database"] = database;
            s["Pipeline:BatchSize"] = "500";
        });
        var catalog = gateway.Get<DeviceCatalog>();
        var messages = SampleTraffic.Build(catalog, 2000, "v1run");
        Assert.True(messages.Select(m => m.Measurement).Distinct().Count() >= 4, "the traffic should span several device families");

        await using (var publisher = await TestPublisher.ConnectAsync(TestEnvironment.MosquittoPort))
        {
            foreach (var m in messages)
            {
                await publisher.PublishAsync(m.Topic, m.Payload);
            }
        }

        await influx.AssertAllStoredAsync(database, messages, TimeSpan.FromSeconds(60), "through Mosquitto");

        // Tags from the topic template and the profile are on the points.
        var first = messages[0];
        var rows = await influx.QueryAsync(database, $"SELECT * FROM \"{first.Measurement}\" WHERE \"device\" = '{first.DeviceId}'");
        var row = Assert.Single(rows);
        Assert.Equal(first.ProfileId, row["model"].GetString());
        Assert.True(row.ContainsKey(first.Field));

        var status = await gateway.StatusAsync();
        Assert.True(status.Pipeline.Acknowledged >= messages.Count, $"acknowledged {status.Pipeline.Acknowledged} of {messages.Count}");
        Assert.Equal(0, status.Pipeline.Rejected);
    }
}
