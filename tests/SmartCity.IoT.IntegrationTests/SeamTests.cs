using Microsoft.Extensions.DependencyInjection;
using SmartCity.IoT.Core.Pipeline;
using SmartCity.IoT.Devices;
using SmartCity.IoT.Influx;
using SmartCity.IoT.IntegrationTests.Infrastructure;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.IntegrationTests;

/// <summary>Issue 12: a second source and a second sink join the real gateway with one class and one registration each.</summary>
public sealed class SeamTests
{
    [Fact]
    public async Task A_second_source_and_a_second_sink_run_beside_MQTT_and_the_spool()
    {
        var queue = new QueueSource("queue");
        var recording = new RecordingSink("recording");
        await using var gateway = await GatewayInstance.StartAsync(_ => { }, services: s =>
        {
            s.AddSingleton<IMessageSource>(queue);
            s.AddSingleton<ITelemetrySink>(recording);
        });
        var handler = await queue.Running.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("buildings/+/floors/+/env/+/telemetry", queue.Filters);

        var runId = "seam" + Guid.NewGuid().ToString("N")[..6];
        var traffic = SampleTraffic.Build(DeviceCatalog.Load(RepoPaths.Devices), 40, runId);
        await using (var publisher = await TestPublisher.ConnectAsync(TestEnvironment.MosquittoPort))
        {
            foreach (var m in traffic.Take(20))
            {
                await publisher.PublishAsync(m.Topic, m.Payload);
            }
        }

        foreach (var m in traffic.Skip(20))
        {
            await queue.SendAsync(handler, m.Topic, m.Payload); // bytes as they are: binary frames are not text
        }

        await Eventually.WaitAsync(() => Task.FromResult(recording.Lines.Count(l => l.Contains(runId, StringComparison.Ordinal))), n => n >= 40, TimeSpan.FromSeconds(20), "40 readings in the second sink");
        await Eventually.WaitAsync(() => Task.FromResult(queue.Acks.Count), n => n >= 20, TimeSpan.FromSeconds(20), "20 acknowledgements to the second source");
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), queue.Acks.Select(a => a.Sequence));
        foreach (var m in traffic)
        {
            Assert.Single(recording.Lines, l => l.Contains($"device={m.DeviceId},", StringComparison.Ordinal));
        }

        // The first sink (InfluxDB's, spool only here) got every batch too.
        Assert.True(gateway.Get<StoreStatus>().Spooled >= 40, $"the spool holds {gateway.Get<StoreStatus>().Spooled} lines");
        var status = await gateway.StatusAsync();
        Assert.Equal(["mqtt", "queue"], status.Sources.Select(s => s.Name).Order());
    }
}
