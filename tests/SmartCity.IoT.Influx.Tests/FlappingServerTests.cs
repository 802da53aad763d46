using SmartCity.IoT.Core.Pipeline;
using System.Collections.Concurrent;
using SmartCity.IoT.Influx.Tests.Fixtures;

namespace SmartCity.IoT.Influx.Tests;

public sealed class FlappingServerTests
{
    private const int Producers = 4;
    private const int Batches = 15;
    private const int Lines = 25;

    [Fact]
    public async Task Concurrent_producers_against_a_flapping_server_lose_nothing()
    {
        var accepted = new ConcurrentDictionary<string, byte>();
        var random = new Random(7);
        await using var server = await FaultServer.StartAsync(r =>
        {
            int roll;
            lock (random)
            {
                roll = random.Next(10);
            }

            if (roll < 2)
            {
                return new FaultResponse(roll == 0 ? 503 : 500, "{\"error\":\"flap\"}");
            }

            foreach (var line in r.Lines)
            {
                accepted.TryAdd(line, 0);
            }

            return new FaultResponse(204);
        });
        var options = new InfluxOptions
        {
            Url = server.Url, Api = InfluxApi.V1, CreateDatabase = false, Database = "d", MaxRetries = 1,
            RetryBudget = TimeSpan.FromMilliseconds(300), ReplayMaxDelay = TimeSpan.FromMilliseconds(100),
        };
        await using var h = new StoreHarness(options);
        await h.StartReplayAsync();

        await Task.WhenAll(Enumerable.Range(0, Producers).Select(p => Task.Run(async () =>
        {
            for (var b = 0; b < Batches; b++)
            {
                await h.Store.WriteAsync(Fixtures.Batches.Numbered("flap", (p * 10_000) + (b * Lines), Lines), Lines, CancellationToken.None);
            }
        })));
        await Eventually.UntilAsync(() => h.Spool.IsEmpty, TimeSpan.FromSeconds(30), "the spool to drain");

        var expected = Enumerable.Range(0, Producers)
            .SelectMany(p => System.Text.Encoding.UTF8.GetString(Fixtures.Batches.Numbered("flap", p * 10_000, Batches * Lines)).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            .ToList();
        Assert.Equal(Producers * Batches * Lines, expected.Count);
        Assert.All(expected, line => Assert.True(accepted.ContainsKey(line), $"lost: {line}"));
        Assert.Equal(Producers * Batches * Lines, h.Status.Written + h.Status.Replayed);
        Assert.True(h.Status.Spooled > 0, "the server never failed hard enough to spool: the test proves nothing");
    }
}
