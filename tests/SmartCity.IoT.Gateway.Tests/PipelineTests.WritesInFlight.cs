using SmartCity.IoT.Gateway.Pipeline;
using SmartCity.IoT.Gateway.Tests.Support;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.Gateway.Tests;

/// <summary>Several batches in the sinks at once, and the byte budget for messages not yet acknowledged.</summary>
public sealed partial class PipelineTests
{
    [Fact]
    public async Task Batches_are_written_side_by_side_and_acknowledged_in_order_when_a_later_write_finishes_first()
    {
        var sink = new RecordingSink();
        await using var h = OneBatchPerReading(sink, writesInFlight: 3);
        var source = new QueueSource { AtAcknowledge = () => sink.LineCount };
        sink.HoldAttempt(1);
        var first = sink.WriteStarted;
        await Send(h, source, "dev-1");
        await first.WaitAsync(Bound);
        await Send(h, source, "dev-2");
        await Send(h, source, "dev-3");

        // dev-2's and dev-3's batches went past the held first one into the sink...
        await Eventually.UntilAsync(() => sink.LineCount == 2, Bound);
        Assert.Contains(sink.Lines, l => l.Contains("dev-3", StringComparison.Ordinal));
        // ...but nothing is acknowledged before the oldest batch is durable.
        Assert.Empty(source.Acks);

        sink.ReleaseAttempt(1);
        await h.Pipeline.FlushAsync(CancellationToken.None).WaitAsync(Bound);
        Assert.Equal([1L, 2L, 3L], source.Acks.Select(a => a.Sequence));
        Assert.All(source.Acks, a => Assert.Equal(3, a.Observed));
    }

    [Fact]
    public async Task A_failed_middle_batch_is_retried_while_the_later_ones_written_meanwhile_wait_for_their_acknowledgement()
    {
        var sink = new RecordingSink();
        await using var h = OneBatchPerReading(sink, writesInFlight: 3);
        var source = new QueueSource();
        sink.FailAttempt(2);
        await Send(h, source, "dev-1");
        await Send(h, source, "dev-2");
        await Send(h, source, "dev-3");

        await Eventually.UntilAsync(() => h.Get<PipelineStats>().SinkFailures == 1 && source.Acks.Count == 1, Bound);
        await Eventually.UntilAsync(() => sink.Lines.Any(l => l.Contains("dev-3", StringComparison.Ordinal)), Bound);
        // dev-3 is durable, but dev-2 before it is not: only dev-1 may be acknowledged.
        Assert.Equal([1L], source.Acks.Select(a => a.Sequence));
        Assert.DoesNotContain(sink.Lines, l => l.Contains("dev-2", StringComparison.Ordinal));

        var retried = sink.WriteStarted;
        Assert.Equal(4, await AdvanceUntil(h, retried)); // the retry of dev-2 after the writer's backoff
        await h.Pipeline.FlushAsync(CancellationToken.None).WaitAsync(Bound);
        Assert.Equal([1L, 2L, 3L], source.Acks.Select(a => a.Sequence));
        Assert.Equal(3, sink.LineCount);
    }

    [Fact]
    public async Task Alerts_of_a_later_batch_are_committed_before_its_acknowledgement_even_when_its_write_finishes_first()
    {
        var sink = new RecordingSink();
        await using var h = new PipelineHarness(o =>
        {
            o.BatchSize = 1;
            o.MaxWritesInFlight = 3;
        }, sink);
        h.Outbox.FailuresLeft = 1;
        var source = new QueueSource { AtAcknowledge = () => h.Outbox.Committed.Count };
        sink.HoldAttempt(1);
        await Send(h, source, "dev-1");
        await Send(h, source, "dev-2", pm25: 300); // fires pm2_5_high: its batch carries the transition

        await Eventually.UntilAsync(() => sink.Lines.Any(l => l.Contains("dev-2", StringComparison.Ordinal)), Bound);
        sink.ReleaseAttempt(1);
        await Eventually.UntilAsync(() => source.Acks.Count == 1, Bound);
        Assert.Equal(1L, source.Acks[0].Sequence);

        var flush = h.Pipeline.FlushAsync(CancellationToken.None);
        await AdvanceUntil(h, flush.ContinueWith(_ => 0, TaskScheduler.Default)); // the outbox's retry
        Assert.Equal([1L, 2L], source.Acks.Select(a => a.Sequence));
        Assert.True(source.Acks[1].Observed >= 1, "dev-2 was acknowledged before its alert was in the outbox");
    }

    [Fact]
    public async Task The_pipeline_takes_no_message_while_the_unacknowledged_bytes_are_over_budget()
    {
        await using var h = new PipelineHarness(o =>
        {
            o.BatchSize = 100_000;
            o.FlushInterval = TimeSpan.FromHours(1);
            o.IdleFlush = TimeSpan.FromSeconds(30);
            o.MaxUnacknowledgedBytes = 64 * 1024;
        });
        var source = new QueueSource();
        var budget = h.Get<UnacknowledgedBytes>();
        var (topic, payload) = PipelineHarness.Environment("dev-0");
        var size = topic.Length + System.Text.Encoding.UTF8.GetByteCount(payload);

        // One open batch that seals only after 30 s of quiet: the budget alone stops the pipeline.
        Task<long> next;
        var taken = 0;
        while ((next = Send(h, source, $"dev-{taken % 10}")).IsCompleted)
        {
            await next;
            Assert.True(++taken < 10_000, "the pipeline never stopped taking messages");
        }

        Assert.Equal((64 * 1024 + size - 1) / size, taken); // the message that crossed the budget was still taken
        Assert.True(budget.Held >= 64 * 1024, $"held {budget.Held} bytes");
        Assert.Empty(source.Acks);

        // The idle flush seals the open batch; its acknowledgement gives the budget back and the waiting message goes in.
        h.Time.Advance(TimeSpan.FromSeconds(31));
        await h.Pipeline.TickAsync(runRules: false, CancellationToken.None).WaitAsync(Bound);
        await next.WaitAsync(Bound);
        await h.Pipeline.FlushAsync(CancellationToken.None).WaitAsync(Bound);
        Assert.Equal(taken + 1, source.Acks.Count);
        Assert.Equal(0, budget.Held);
    }
}
