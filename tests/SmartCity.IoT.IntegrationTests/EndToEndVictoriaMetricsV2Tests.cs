using SmartCity.IoT.Devices;
using SmartCity.IoT.IntegrationTests.Infrastructure;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.IntegrationTests;

/// <summary>Issue 2 (b): the same path through InfluxDB's /api/v2/write, proven end to end on VictoriaMetrics.</summary>
public sealed class EndToEndVictoriaMetricsV2Tests
{
    [Fact]
    public async Task Readings_written_through_api_v2_write_are_read_back_from_VictoriaMetrics()
    {
        var runId = "vm" + Guid.NewGuid().ToString("N")[..6];
        await using var gateway = await GatewayInstance.StartAsync(s =>
        {
            s["Influx:Url"] = TestEnvironment.VictoriaMetricsUrl;
            s["Influx:Api"] = "v2";
            s["Influx:Org"] = "smartcity";
            s["Influx:Bucket"] = "buildings";
            s["Influx:Token"] = "test-token";
        });
        var messages = SampleTraffic.Build(gateway.Get<DeviceCatalog>(), 300, runId);
        await using (var publisher = await TestPublisher.ConnectAsync(TestEnvironment.MosquittoPort))
        {
            foreach (var m in messages)
            {
                await publisher.PublishAsync(m.Topic, m.Payload);
            }
        }

        using var vm = new VictoriaMetricsHttp(TestEnvironment.VictoriaMetricsUrl);
        foreach (var (profile, measurement, field, count) in SampleTraffic.Expected(messages))
        {
            // VictoriaMetrics names the series measurement_field and keeps tags as labels.
            var match = $"{{__name__=\"{measurement}_{field}\",model=\"{profile}\",device=~\"{runId}-.*\"}}";
            var series = await Eventually.WaitAsync(() => vm.ExportAsync(match), s => s.Count >= count, TimeSpan.FromSeconds(60), $"{count} series for {match}");
            Assert.Equal(count, series.Count);
        }
    }
}
