using SmartCity.IoT.Devices;
using SmartCity.IoT.Gateway.Pipeline;
using SmartCity.IoT.IntegrationTests.Infrastructure;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.IntegrationTests;

/// <summary>Two gateways in one MQTT 5 shared-subscription group split the stream and together store all of it, once.</summary>
public sealed class SharedSubscriptionTests
{
    [Fact]
    public async Task Two_gateways_sharing_a_group_split_the_load_and_lose_nothing()
    {
        using var influx = new InfluxHttp(TestEnvironment.InfluxUrl);
        var database = InfluxHttp.NewDatabaseName("shared");
        await influx.CreateDatabaseAsync(database);
        var group = "it" + Guid.NewGuid().ToString("N")[..6];
        void Configure(Dictionary<string, string?> s)
        {
            s["Mqtt:SharedGroup"] = group;
            s["Influx:Url"] = TestEnvironment.InfluxUrl;
            s["Influx:Api"] = "v1";
            s["Influx:Database"] = database;
        }

        await using var first = await GatewayInstance.StartAsync(Configure);
        await using var second = await GatewayInstance.StartAsync(Configure);
        var messages = SampleTraffic.Build(first.Get<DeviceCatalog>(), 1000, group);
        await using (var publisher = await TestPublisher.ConnectAsync(TestEnvironment.MosquittoPort))
        {
            foreach (var m in messages)
            {
                await publisher.PublishAsync(m.Topic, m.Payload);
            }
        }

        await influx.AssertAllStoredAsync(database, messages, TimeSpan.FromSeconds(60), "through the shared subscription");

        var a = first.Get<PipelineStats>().Received;
        var b = second.Get<PipelineStats>().Received;
        Assert.Equal(messages.Count, a + b); // each message went to exactly one member of the group
        Assert.True(a > 0 && b > 0, $"both members should get a share: {a} and {b}");
    }
}
