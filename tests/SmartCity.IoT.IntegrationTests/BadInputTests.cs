using System.Text;
using System.Text.Json;
using SmartCity.IoT.Devices;
using SmartCity.IoT.IntegrationTests.Infrastructure;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.IntegrationTests;

/// <summary>Issue 2, bad input: each bad message is counted, dead-lettered with its reason and topic, and the good ones keep flowing.</summary>
public sealed class BadInputTests
{
    [Fact]
    public async Task Bad_messages_are_dead_lettered_and_good_ones_still_reach_InfluxDB()
    {
        using var influx = new InfluxHttp(TestEnvironment.InfluxUrl);
        var database = InfluxHttp.NewDatabaseName("badinput");
        await influx.CreateDatabaseAsync(database);
        await using var gateway = await GatewayInstance.StartAsync(s =>
        {
            s["Influx:Url"] = TestEnvironment.InfluxUrl;
            s["Influx:Api"] = "v1";
            s["Influx:Database"] = database;
            s["Gateway:MaxPayloadBytes"] = "2048";
            s["Mqtt:Topics:0"] = "#"; // everything, so a topic no profile claims arrives too
        });
        var good = SampleTraffic.Build(gateway.Get<DeviceCatalog>(), 200, "bad" + Guid.NewGuid().ToString("N")[..4]);
        var id = Guid.NewGuid().ToString("N")[..6];
        var bad = new (string Topic, byte[] Payload, string Reason)[]
        {
            ($"buildings/hq/floors/3/env/mal-{id}/telemetry", Encoding.UTF8.GetBytes("{\"ts\":1763884800000,\"climate\":{\"t\":23.4,"), "MalformedPayload"),
            ($"nowhere/{id}/matches/this", Encoding.UTF8.GetBytes("{\"t\":1}"), "NoMatchingProfile"),
            ($"buildings/hq/floors/3/env/type-{id}/telemetry", Encoding.UTF8.GetBytes("{\"ts\":1763884800000,\"climate\":{\"t\":\"warm\"}}"), "NoValidFields"),
            ($"buildings/hq/floors/3/env/big-{id}/telemetry", Encoding.UTF8.GetBytes("{\"pad\":\"" + new string('x', 5000) + "\"}"), "PayloadTooLarge"),
        };

        await using (var publisher = await TestPublisher.ConnectAsync(TestEnvironment.MosquittoPort))
        {
            for (var i = 0; i < good.Count; i++)
            {
                await publisher.PublishAsync(good[i].Topic, good[i].Payload);
                if (i % 50 == 25)
                {
                    var b = bad[i / 50];
                    await publisher.PublishAsync(b.Topic, b.Payload);
                }
            }
        }

        await influx.AssertAllStoredAsync(database, good, TimeSpan.FromSeconds(60), "among the bad input");

        var status = await Eventually.WaitAsync(gateway.StatusAsync, s => s.Pipeline.Rejected >= bad.Length, TimeSpan.FromSeconds(20), "four rejections");
        Assert.Equal(bad.Length, status.Pipeline.Rejected);
        foreach (var b in bad)
        {
            Assert.True(status.RejectedByReason.TryGetValue(b.Reason, out var n) && n >= 1, $"no {b.Reason} counted: {string.Join(", ", status.RejectedByReason)}");
        }

        // The dead-letter file names topic and reason for every bad message, with the payload (size-capped).
        var records = Directory.GetFiles(status.DeadLetterPath, "deadletter-*.jsonl")
            .SelectMany(File.ReadAllLines)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .ToList();
        foreach (var b in bad)
        {
            var record = Assert.Single(records, r => r.GetProperty("source").GetString() == b.Topic);
            Assert.Equal(b.Reason, record.GetProperty("reason").GetString());
            Assert.False(string.IsNullOrEmpty(record.GetProperty("detail").GetString()));
        }

        // The wrong-typed field is named in the reason, with its path and the value it got.
        var typed = Assert.Single(records, r => r.GetProperty("reason").GetString() == "NoValidFields");
        Assert.Contains("expected a number, got 'warm'", typed.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var big = Assert.Single(records, r => r.GetProperty("reason").GetString() == "PayloadTooLarge");
        Assert.True(big.GetProperty("truncated").GetBoolean());
        Assert.True(big.GetProperty("payload").GetString()!.Length < 5000);
    }
}
