using System.Buffers;
using System.Text;
using SmartCity.IoT.Core.Pipeline;
using SmartCity.IoT.Gateway.Tests.Support;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.Gateway.Tests;

/// <summary>The hot path through the pipeline's stages (message in, reading decoded and evaluated, line in the batch) allocates nothing in steady state.</summary>
public sealed class AllocationTests
{
    [Fact]
    public async Task A_message_from_a_known_device_allocates_nothing_between_seals()
    {
        await using var h = new PipelineHarness(o => o.BatchSize = 100_000);
        var source = new QueueSource();
        var messages = Enumerable.Range(0, 200).Select(i =>
        {
            var (topic, payload) = PipelineHarness.Environment($"dev-{i % 50}", pm25: 5 + (i % 7));
            return new InboundMessage(topic, new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(payload)), 1_763_884_800_000_000_000 + i, new DeliveryToken(source, null, i));
        }).ToArray();

        Assert.Equal(0, await AllocatedAfterWarmUp(h, messages));
        Assert.True(h.Get<Pipeline.PipelineStats>().Decoded >= 5000, "the messages were not decoded");
    }

    [Fact]
    public async Task A_message_with_several_readings_allocates_nothing_between_seals()
    {
        await using var h = new PipelineHarness(o => o.BatchSize = 100_000);
        var source = new QueueSource();
        var messages = Enumerable.Range(0, 200).Select(i =>
        {
            // rackwatch/rt-4: the logger's battery and two probes, three readings per message.
            var payload = $$"""{"time":"2025-11-23 08:00:00Z","bat":3600,"probes":[{"ch":1,"t":2{{i % 7}}.5},{"ch":2,"t":2{{i % 5}}}]}""";
            return new InboundMessage($"buildings/hq/racks/rt4-{i % 50}/data", new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(payload)), 1_763_884_800_000_000_000 + i, new DeliveryToken(source, null, i));
        }).ToArray();

        var decoded = h.Get<Pipeline.PipelineStats>().Decoded;
        Assert.Equal(0, await AllocatedAfterWarmUp(h, messages));
        Assert.Equal(3 * 200 * 25, h.Get<Pipeline.PipelineStats>().Decoded - decoded);
    }

    /// <summary>Bytes allocated by 5 rounds of <paramref name="messages"/> after 20 rounds of warm-up (every device known, every buffer grown).</summary>
    internal static async Task<long> AllocatedAfterWarmUp(PipelineHarness h, InboundMessage[] messages)
    {
        for (var round = 0; round < 20; round++)
        {
            foreach (var m in messages)
            {
                await h.Pipeline.OnMessageAsync(m, CancellationToken.None);
            }
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var round = 0; round < 5; round++)
        {
            foreach (var m in messages)
            {
                var pending = h.Pipeline.OnMessageAsync(m, CancellationToken.None);
                Assert.True(pending.IsCompletedSuccessfully);
            }
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
