using SmartCity.IoT.Core.Pipeline;
using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using SmartCity.IoT.Core.Telemetry;
using SmartCity.IoT.Influx.Tests.Fixtures;

namespace SmartCity.IoT.Influx.Tests;

/// <summary>Runs alone (the instruments are process-wide), so the sums below are exactly this test's.</summary>
[Collection(OutageCollection.Name)]
public sealed class MetricsTests
{
    [Fact]
    public async Task Written_rejected_spooled_batch_sizes_latency_and_spool_bytes_are_reported_on_the_gateway_meter()
    {
        var sums = new ConcurrentDictionary<string, double>();
        var counts = new ConcurrentDictionary<string, int>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == GatewayMeter.Name && instrument.Name.StartsWith("influx.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        void Add(Instrument i, double v)
        {
            sums.AddOrUpdate(i.Name, v, (_, s) => s + v);
            counts.AddOrUpdate(i.Name, 1, (_, c) => c + 1);
        }

        listener.SetMeasurementEventCallback<long>((i, v, _, _) => Add(i, v));
        listener.SetMeasurementEventCallback<int>((i, v, _, _) => Add(i, v));
        listener.SetMeasurementEventCallback<double>((i, v, _, _) => Add(i, v));
        listener.Start();

        var up = true;
        await using var server = await FaultServer.StartAsync(r =>
            !Volatile.Read(ref up) ? new FaultResponse(503)
            : r.Body.Contains("bad", StringComparison.Ordinal) ? new FaultResponse(400, "{\"error\":\"partial write: unable to parse 'bad': invalid field format dropped=0\"}")
            : new FaultResponse(204));
        await using var h = new StoreHarness(new InfluxOptions { Url = server.Url, Api = InfluxApi.V1, CreateDatabase = false, Database = "d", MaxRetries = 0 });

        await h.Store.WriteAsync(Batches.Of("m v=1 1", "m v=2 2", "bad", "m v=4 4", "m v=5 5"), 5, CancellationToken.None);
        Volatile.Write(ref up, false);
        await h.Store.WriteAsync(Batches.Numbered("m", 10, 3), 3, CancellationToken.None);
        listener.RecordObservableInstruments();

        Assert.Equal(4, sums["influx.lines.written"]);
        Assert.Equal(1, sums["influx.lines.rejected"]);
        Assert.Equal(3, sums["influx.lines.spooled"]);
        Assert.Equal(8, sums["influx.batch.size"]);
        Assert.Equal(2, counts["influx.batch.size"]);
        Assert.Equal(2, counts["influx.write.duration"]);
        Assert.Equal(h.Spool.Bytes, sums["influx.spool.bytes"]);
        Assert.True(h.Spool.Bytes > 0);
        Assert.Equal(0, sums.GetValueOrDefault("influx.lines.dropped")); // pre-created at 0, nothing dropped
    }
}
