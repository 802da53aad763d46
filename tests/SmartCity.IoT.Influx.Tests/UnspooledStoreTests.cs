using System.Text;
using SmartCity.IoT.Influx.Tests.Fixtures;

namespace SmartCity.IoT.Influx.Tests;

/// <summary><c>Spool:Enabled: false</c> (NATS mode): a batch is durable only once InfluxDB has it, never on the local disk.</summary>
public sealed class UnspooledStoreTests
{
    [Fact]
    public async Task With_the_spool_off_a_batch_InfluxDB_refuses_is_retried_until_taken_and_never_spooled()
    {
        var failures = 0;
        await using var server = await FaultServer.StartAsync(_ => Interlocked.Increment(ref failures) <= 4 ? new FaultResponse(503, "busy") : new FaultResponse(204));
        var options = new InfluxOptions { Url = server.Url, Api = InfluxApi.V1, CreateDatabase = false, Database = "db", RetryBudget = TimeSpan.FromMilliseconds(300), MaxRetries = 1, Timeout = TimeSpan.FromSeconds(2) };
        await using var h = new StoreHarness(options, new SpoolOptions { Enabled = false });
        var batch = Batches.Numbered("m", 0, 7);

        await h.Store.WriteAsync(batch, 7, CancellationToken.None);

        Assert.True(server.Requests.Count > 4, $"{server.Requests.Count} requests: the write should have been retried past the 503s");
        Assert.Equal(Encoding.UTF8.GetString(batch), server.Requests.Last().Body);
        Assert.Equal(0, h.Status.Spooled);
        Assert.True(h.Spool.IsEmpty);
        Assert.Equal(7, h.Status.Written);
    }
}
