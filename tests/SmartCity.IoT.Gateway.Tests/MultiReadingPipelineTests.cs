using System.Globalization;
using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Gateway.Pipeline;
using SmartCity.IoT.Gateway.Tests.Support;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.Gateway.Tests;

/// <summary>Messages that yield several readings (rackwatch/rt-4: one reading per probe, one for the logger).</summary>
public sealed class MultiReadingPipelineTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_message_is_acknowledged_once_all_its_readings_are_in_the_sink_and_never_split_across_batches()
    {
        // Batch size 2 and three readings per message: the batch fills in the middle of a message, and must still
        // take the whole message before it is sealed.
        await using var h = new PipelineHarness(o => o.BatchSize = 2);
        var assembler = h.Get<BatchAssembler>();
        var source = new QueueSource { AtAcknowledge = () => h.Sink.LineCount };
        await source.SendAsync(h.Pipeline, Topic("rt4-1"), Payload(24.5, 25));
        Assert.Equal(1, assembler.LastSealed);
        await source.SendAsync(h.Pipeline, Topic("rt4-2"), Payload(26, 27.5));
        Assert.Equal(2, assembler.LastSealed);
        await h.Pipeline.FlushAsync(CancellationToken.None).WaitAsync(Bound);

        // The second batch may be written beside the first, so the first message may see its lines too.
        Assert.True(source.Acks[0].Observed >= 3, $"the first message was acknowledged with {source.Acks[0].Observed} lines in the sink");
        Assert.Equal(6, source.Acks[1].Observed);
        var lines = h.Sink.Lines.Where(l => l.StartsWith("environment,", StringComparison.Ordinal)).ToList();
        Assert.Equal(6, lines.Count);
        Assert.Contains(lines, l => l.Contains("device=rt4-2,", StringComparison.Ordinal) && l.Contains("probe=2", StringComparison.Ordinal) && l.Contains(" temperature=27.5 ", StringComparison.Ordinal));
        Assert.Equal(6, h.Get<PipelineStats>().Decoded);
    }

    [Fact]
    public async Task Rule_state_of_two_probes_of_one_device_never_mixes()
    {
        // room_too_hot: temperature > 28 for 10 minutes. Probe 1 is hot throughout and probe 2 never is; were their
        // readings one series, every probe-2 reading would reset probe 1's pending alert and nothing would fire.
        await using var h = new PipelineHarness(o => o.BatchSize = 1000);
        var source = new QueueSource();
        for (var minute = 0; minute <= 12; minute++)
        {
            await source.SendAsync(h.Pipeline, Topic("rt4-9"), Payload(31, 22));
            h.Time.Advance(TimeSpan.FromMinutes(1));
            await h.Pipeline.TickAsync(runRules: true, CancellationToken.None);
        }

        await h.Pipeline.FlushAsync(CancellationToken.None).WaitAsync(Bound);
        var firing = h.Outbox.Committed.Where(a => a.RuleName == "room_too_hot" && a.Status == AlertStatus.Firing).ToList();
        var alert = Assert.Single(firing);
        Assert.Equal("rt4-9/probe=1", alert.DeviceId);
        Assert.Equal("1", alert.Labels["probe"]);
        Assert.Equal(31, alert.Value);
        Assert.DoesNotContain(h.Outbox.Committed, a => a.DeviceId.EndsWith("probe=2", StringComparison.Ordinal));
    }

    private static string Topic(string device) => $"buildings/hq/racks/{device}/data";

    private static string Payload(double probe1, double probe2) =>
        string.Create(CultureInfo.InvariantCulture, $$"""{"time":"2025-11-23 08:00:00Z","bat":3600,"probes":[{"ch":1,"t":{{probe1}}},{"ch":2,"t":{{probe2}}}]}""");
}
