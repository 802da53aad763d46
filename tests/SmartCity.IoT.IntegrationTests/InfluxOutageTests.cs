using System.Diagnostics;
using SmartCity.IoT.Devices;
using SmartCity.IoT.IntegrationTests.Infrastructure;
using SmartCity.IoT.Testing;
using Xunit.Abstractions;

namespace SmartCity.IoT.IntegrationTests;

/// <summary>
/// Issue 6, fault test 1 through the whole gateway: InfluxDB stopped for 30 s during a steady QoS 1 stream, then started;
/// every reading ends up in InfluxDB (through the spool) and the managed heap stays bounded meanwhile.
/// </summary>
public sealed class InfluxOutageTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(int.TryParse(Environment.GetEnvironmentVariable("SMARTCITY_OUTAGE_SECONDS"), out var s) ? s : 30);

    [Fact]
    public async Task An_InfluxDB_outage_mid_stream_loses_no_reading()
    {
        using var influxServer = new InfluxServer();
        await influxServer.StartAsync();
        using var influx = new InfluxHttp(influxServer.Url);
        const string database = "outage";
        await influx.CreateDatabaseAsync(database);

        await using var gateway = await GatewayInstance.StartAsync(s =>
        {
            s["Influx:Url"] = influxServer.Url;
            s["Influx:Api"] = "v1";
            s["Influx:Database"] = database;
            s["Pipeline:BatchSize"] = "500";
            s["Influx:RetryBudget"] = "00:00:01";
            s["Influx:ReplayMaxDelay"] = "00:00:01";
        });
        var catalog = gateway.Get<DeviceCatalog>();
        var rate = 200; // readings per second, steady
        var total = (int)((Outage.TotalSeconds + 10) * rate);
        var messages = SampleTraffic.Build(catalog, total, "out" + Guid.NewGuid().ToString("N")[..4]);

        // What the gateway retains is measured against what the process already held (earlier tests' gateways included).
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        long retainedInOutage = 0;
        var clock = Stopwatch.StartNew();
        var stoppedAt = TimeSpan.FromSeconds(3);
        var stopped = false;
        var restarted = false;
        await using (var publisher = await TestPublisher.ConnectAsync(TestEnvironment.MosquittoPort))
        {
            for (var i = 0; i < messages.Count; i++)
            {
                var due = TimeSpan.FromSeconds((double)i / rate);
                if (due > clock.Elapsed)
                {
                    await Task.Delay(due - clock.Elapsed);
                }

                if (!stopped && clock.Elapsed >= stoppedAt)
                {
                    influxServer.Stop();
                    stopped = true;
                    output.WriteLine($"InfluxDB stopped after {i} readings");
                }
                else if (stopped && !restarted && clock.Elapsed >= stoppedAt + Outage)
                {
                    retainedInOutage = GC.GetTotalMemory(forceFullCollection: true) - baseline; // the most held: just before InfluxDB returns
                    await influxServer.StartAsync();
                    restarted = true;
                    output.WriteLine($"InfluxDB started again after {i} readings");
                }

                await publisher.PublishAsync(messages[i].Topic, messages[i].Payload);
            }
        }

        Assert.True(stopped && restarted);
        await influx.AssertAllStoredAsync(database, messages, TimeSpan.FromSeconds(90), "after the outage");

        var status = await gateway.StatusAsync();
        output.WriteLine($"spooled {status.Store.Spooled} lines; the managed heap held {retainedInOutage / (1 << 20)} MB more at the end of the outage than before it");
        Assert.True(status.Store.Spooled > 0, "readings should have gone through the spool during the outage");
        // The whole test process (gateway, publisher, test host) stays small: readings wait on disk, not in memory.
        Assert.True(retainedInOutage < 128L << 20, $"the managed heap held {retainedInOutage / (1 << 20)} MB more at the end of the outage than before it");
    }
}
