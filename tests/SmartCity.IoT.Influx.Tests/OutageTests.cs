using SmartCity.IoT.Core.Pipeline;
using System.Diagnostics;
using System.Globalization;
using SmartCity.IoT.Influx.Tests.Fixtures;
using Xunit.Abstractions;

namespace SmartCity.IoT.Influx.Tests;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class OutageCollection
{
    public const string Name = "outage (alone, for the memory measurement)";
}

/// <summary>Fault test 1: InfluxDB killed during a steady stream and started again.</summary>
[Collection(OutageCollection.Name)]
public sealed class OutageTests(ITestOutputHelper output)
{
    private const int LinesPerBatch = 1000;
    private static readonly TimeSpan BatchEvery = TimeSpan.FromMilliseconds(50); // 20 000 lines/s

    /// <summary>Live heap growth allowed while tens of MB pass through the spool: the outage must not be buffered in memory.</summary>
    private const long MemoryBoundBytes = 16L << 20;

    [Fact]
    public async Task InfluxDB_stopped_during_a_steady_stream_then_started_ends_with_every_line_in_InfluxDB_and_bounded_memory()
    {
        var downFor = TimeSpan.FromSeconds(int.Parse(Environment.GetEnvironmentVariable("SMARTCITY_OUTAGE_SECONDS") ?? "30", CultureInfo.InvariantCulture));
        using var influx = new InfluxServer();
        await influx.StartAsync();
        await influx.CreateDatabaseAsync("outage");
        var options = new InfluxOptions
        {
            Url = influx.Url, Api = InfluxApi.V1, CreateDatabase = false, Database = "outage",
            RetryBudget = TimeSpan.FromSeconds(1), MaxRetries = 2, Timeout = TimeSpan.FromSeconds(2), ReplayMaxDelay = TimeSpan.FromSeconds(1),
        };
        await using var h = new StoreHarness(options);
        await h.StartReplayAsync();

        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        long peakHeap = 0, peakSpool = 0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peakHeap = Math.Max(peakHeap, GC.GetTotalMemory(forceFullCollection: true));
                peakSpool = Math.Max(peakSpool, h.Status.SpoolBytes);
                await Task.Delay(250);
            }
        });

        var published = 0;
        async Task ProduceAsync(TimeSpan duration)
        {
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < duration)
            {
                var started = clock.Elapsed;
                await h.Store.WriteAsync(Batches.Numbered("outage", published, LinesPerBatch), LinesPerBatch, CancellationToken.None);
                published += LinesPerBatch; // acknowledged: it is in InfluxDB or in the spool
                var pause = BatchEvery - (clock.Elapsed - started);
                if (pause > TimeSpan.Zero)
                {
                    await Task.Delay(pause);
                }
            }
        }

        await ProduceAsync(TimeSpan.FromSeconds(2));
        influx.Stop();
        await ProduceAsync(downFor);
        var spooledDuringOutage = h.Status.Spooled;
        await influx.StartAsync();
        await ProduceAsync(TimeSpan.FromSeconds(2));

        await Eventually.UntilAsync(() => h.Spool.IsEmpty, TimeSpan.FromSeconds(60), "the spool to drain");
        await sampling.CancelAsync();
        await sampler;
        var counted = await influx.CountAsync("outage", "outage", "v");

        output.WriteLine($"published {published}, in InfluxDB {counted}; live {h.Status.Written}, spooled {h.Status.Spooled}, replayed {h.Status.Replayed}");
        output.WriteLine($"peak spool {peakSpool / 1e6:0.0} MB, peak live heap growth {(peakHeap - baseline) / 1e6:0.0} MB (bound {MemoryBoundBytes / 1e6:0} MB)");
        Assert.Equal(published, counted);
        Assert.True(spooledDuringOutage >= downFor.TotalSeconds * 0.5 * (LinesPerBatch / BatchEvery.TotalSeconds), $"only {spooledDuringOutage} lines were spooled during the outage");
        Assert.True(h.Status.Replayed >= spooledDuringOutage);
        Assert.True(peakSpool > 2 * MemoryBoundBytes / 3, $"the spool peaked at only {peakSpool} bytes");
        Assert.True(peakHeap - baseline < MemoryBoundBytes, $"live heap grew by {peakHeap - baseline} bytes");
        Assert.Equal(0, h.Status.RejectedLines);
        Assert.True(h.Status.LastWriteOk);
    }
}
