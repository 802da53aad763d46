using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Core.Pipeline;
using SmartCity.IoT.Gateway.Pipeline;
using SmartCity.IoT.Gateway.Tests.Support;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.Gateway.Tests;

/// <summary>The pipeline's stages without MQTTnet or InfluxDB: a test source in, test sinks out, fake time.</summary>
public sealed partial class PipelineTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Messages_are_acknowledged_in_order_and_only_after_the_sink_holds_their_reading()
    {
        await using var h = new PipelineHarness(o => o.BatchSize = 4);
        var source = new QueueSource { AtAcknowledge = () => h.Sink.LineCount };
        for (var i = 0; i < 10; i++)
        {
            await Send(h, source, $"dev-{i}");
        }

        await h.Pipeline.FlushAsync(CancellationToken.None).WaitAsync(Bound);

        var acks = source.Acks;
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), acks.Select(a => a.Sequence));
        // Message n's line is the n-th line: when it was acknowledged the sink already had at least n lines.
        Assert.All(acks, a => Assert.True(a.Observed >= a.Sequence, $"message {a.Sequence} was acknowledged when the sink held {a.Observed} lines"));
        Assert.Equal(10, h.Sink.Lines.Count(l => l.StartsWith("environment,", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_full_batch_is_sealed_at_once_and_a_partial_one_only_when_its_time_comes()
    {
        // The harness's FlushInterval is 1 s and its IdleFlush 50 ms.
        await using var h = new PipelineHarness(o => o.BatchSize = 3);
        var assembler = h.Get<BatchAssembler>();
        var source = new QueueSource();
        for (var i = 0; i < 5; i++)
        {
            await Send(h, source, $"dev-{i}");
        }

        // Three messages filled the first batch; the other two wait in the open batch.
        Assert.Equal(1, assembler.LastSealed);
        await Eventually.UntilAsync(() => source.Acks.Count == 3, Bound);

        h.Time.Advance(TimeSpan.FromMilliseconds(10));
        await h.Pipeline.TickAsync(runRules: false, CancellationToken.None);
        Assert.Equal(1, assembler.LastSealed);

        h.Time.Advance(TimeSpan.FromMilliseconds(50));
        await h.Pipeline.TickAsync(runRules: false, CancellationToken.None);
        Assert.Equal(2, assembler.LastSealed);
        await Eventually.UntilAsync(() => source.Acks.Count == 5, Bound);
        Assert.Equal(5, h.Sink.LineCount);
    }

    [Fact]
    public async Task A_batch_of_a_busy_stream_is_sealed_by_its_age()
    {
        await using var h = new PipelineHarness(o => o.BatchSize = 1000);
        var assembler = h.Get<BatchAssembler>();
        var source = new QueueSource();
        for (var i = 0; i < 30; i++)
        {
            // A message every 40 ms: never idle for 50 ms, so only the batch's age can seal it.
            await Send(h, source, $"dev-{i}");
            h.Time.Advance(TimeSpan.FromMilliseconds(40));
            await h.Pipeline.TickAsync(runRules: false, CancellationToken.None);
            Assert.Equal(i < 24 ? 0 : 1, assembler.LastSealed); // 25 x 40 ms = the 1 s interval
        }
    }

    [Fact]
    public async Task A_slow_sink_stops_the_reading_of_new_messages()
    {
        var sink = new RecordingSink();
        await using var h = OneBatchPerReading(sink, writesInFlight: 1);
        var source = new QueueSource();
        sink.Hold();
        var first = sink.WriteStarted;
        await Send(h, source, "dev-1");
        await first.WaitAsync(Bound); // the writer holds batch 1 in the sink
        await Send(h, source, "dev-2"); // batch 2 waits in the queue

        var (topic, payload) = PipelineHarness.Environment("dev-3");
        var third = source.SendAsync(h.Pipeline, topic, payload);
        // The third message was processed and its batch sealed, and sealing now waits for room in the queue.
        Assert.Equal(3, h.Get<BatchAssembler>().LastSealed);
        Assert.False(third.IsCompleted, "the pipeline took a third message while the sink held the first and the queue was full");
        Assert.Empty(source.Acks);

        sink.Release();
        await third.WaitAsync(Bound);
        await h.Pipeline.FlushAsync(CancellationToken.None).WaitAsync(Bound);
        Assert.Equal([1L, 2L, 3L], source.Acks.Select(a => a.Sequence));
    }

    [Fact]
    public async Task The_rule_engine_can_be_read_without_waiting_on_a_held_pipeline()
    {
        var sink = new RecordingSink();
        await using var h = OneBatchPerReading(sink, writesInFlight: 1);
        var source = new QueueSource();
        Assert.True(await h.Pipeline.TryWithEngineAsync(_ => { }, TimeSpan.FromMilliseconds(50), CancellationToken.None));

        sink.Hold();
        var first = sink.WriteStarted;
        await Send(h, source, "dev-1");
        await first.WaitAsync(Bound);
        await Send(h, source, "dev-2");
        var (topic, payload) = PipelineHarness.Environment("dev-3");
        var third = source.SendAsync(h.Pipeline, topic, payload); // holds the gate while it waits for room

        var read = false;
        Assert.False(await h.Pipeline.TryWithEngineAsync(_ => read = true, TimeSpan.FromMilliseconds(50), CancellationToken.None));
        Assert.False(read);
        Assert.False(third.IsCompleted);

        sink.Release();
        await third.WaitAsync(Bound);
        Assert.True(await h.Pipeline.TryWithEngineAsync(_ => read = true, TimeSpan.FromMilliseconds(50), CancellationToken.None));
        Assert.True(read);
    }

    [Fact]
    public async Task Flush_at_shutdown_waits_for_batches_in_flight_and_a_cancelled_flush_acknowledges_nothing()
    {
        var sink = new RecordingSink();
        await using var h = new PipelineHarness(o => o.BatchSize = 2, sink);
        var source = new QueueSource();
        sink.Hold();
        var started = sink.WriteStarted;
        for (var i = 0; i < 3; i++)
        {
            await Send(h, source, $"dev-{i}");
        }

        await started.WaitAsync(Bound);
        using (var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => h.Pipeline.FlushAsync(cancel.Token));
        }

        Assert.Empty(source.Acks);

        var flush = h.Pipeline.FlushAsync(CancellationToken.None);
        Assert.False(flush.IsCompleted);
        sink.Release();
        await flush.WaitAsync(Bound);
        Assert.Equal([1L, 2L, 3L], source.Acks.Select(a => a.Sequence));

        h.Pipeline.Complete();
        await h.Writer.WaitAsync(Bound);
    }

    [Fact]
    public async Task A_failing_sink_is_retried_and_nothing_is_acknowledged_before_it_succeeds()
    {
        var sink = new RecordingSink { FailuresLeft = 2 };
        await using var h = new PipelineHarness(o => o.BatchSize = 2, sink);
        var source = new QueueSource { AtAcknowledge = () => sink.LineCount };
        var attempt = sink.WriteStarted;
        await Send(h, source, "dev-1");
        await Send(h, source, "dev-2");

        for (var expected = 1; expected <= 3; expected++)
        {
            // Fake time moves only here, in small steps, until the writer's retry pause is over and the next attempt begins.
            Assert.Equal(expected, await AdvanceUntil(h, attempt));
            attempt = sink.WriteStarted;
            if (expected < 3)
            {
                await Eventually.UntilAsync(() => h.Get<PipelineStats>().SinkFailures == expected, Bound);
                Assert.Empty(source.Acks);
            }
        }

        await h.Pipeline.FlushAsync(CancellationToken.None).WaitAsync(Bound);
        Assert.Equal(2, h.Get<PipelineStats>().SinkFailures);
        Assert.Equal(2, sink.LineCount);
        Assert.All(source.Acks, a => Assert.Equal(2, a.Observed));
    }

    [Fact]
    public async Task A_second_sink_gets_every_batch_and_acknowledgement_waits_for_both()
    {
        var fast = new RecordingSink("fast");
        var slow = new RecordingSink("slow");
        await using var h = new PipelineHarness(o => o.BatchSize = 2, fast, slow);
        var source = new QueueSource { AtAcknowledge = () => slow.LineCount };
        slow.Hold();
        var slowStarted = slow.WriteStarted;
        await Send(h, source, "dev-1");
        await Send(h, source, "dev-2");
        await slowStarted.WaitAsync(Bound);
        await Eventually.UntilAsync(() => fast.LineCount == 2, Bound);
        Assert.Empty(source.Acks);

        slow.Release();
        await h.Pipeline.FlushAsync(CancellationToken.None).WaitAsync(Bound);
        Assert.Equal(fast.Lines, slow.Lines);
        Assert.All(source.Acks, a => Assert.Equal(2, a.Observed));
    }

    [Fact]
    public async Task A_dot_separated_subject_is_routed_by_the_same_profile_as_its_mqtt_topic()
    {
        await using var h = new PipelineHarness();
        var mqtt = new QueueSource("mqtt", TopicSyntax.Mqtt);
        var stream = new QueueSource("stream", TopicSyntax.Subject);
        var (topic, payload) = PipelineHarness.Environment("dev-7", building: "annex");
        await mqtt.SendAsync(h.Pipeline, topic, payload);
        await stream.SendAsync(h.Pipeline, topic.Replace('/', '.'), payload.Replace("58.2", "58.3"));
        await h.Pipeline.FlushAsync(CancellationToken.None).WaitAsync(Bound);

        var lines = h.Sink.Lines.Where(l => l.StartsWith("environment,", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, lines.Length);
        Assert.All(lines, l => Assert.StartsWith("environment,building=annex,device=dev-7,floor=3,model=harbourtech/ies-300 ", l));
        Assert.Single(mqtt.Acks);
        Assert.Single(stream.Acks);
        Assert.Equal(0, h.Get<PipelineStats>().Rejected);
    }

    [Fact]
    public async Task New_devices_beyond_the_cap_are_dead_lettered_counted_and_still_acknowledged()
    {
        await using var h = new PipelineHarness(o => o.MaxDevices = 2);
        var source = new QueueSource();
        foreach (var device in new[] { "dev-1", "dev-2", "dev-3", "dev-1" })
        {
            await Send(h, source, device);
        }

        await h.Pipeline.FlushAsync(CancellationToken.None).WaitAsync(Bound);
        var stats = h.Get<PipelineStats>();
        Assert.Equal(2, h.Get<DeviceRegistry>().Count);
        Assert.Equal(1, stats.RejectedByReason()[nameof(DecodeError.DeviceLimitReached)]);
        Assert.Equal(3, h.Sink.Lines.Count(l => l.StartsWith("environment,", StringComparison.Ordinal)));
        Assert.DoesNotContain(h.Sink.Lines, l => l.Contains("device=dev-3", StringComparison.Ordinal));
        Assert.Equal(4, source.Acks.Count);
        var record = Assert.Single(h.Get<Core.DeadLetters.DeadLetterStore>().Recent());
        Assert.Equal(nameof(DecodeError.DeviceLimitReached), record.Reason);
        Assert.Contains("Pipeline:MaxDevices (2)", record.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_field_rejected_again_and_again_is_recorded_once_a_minute_and_counted_every_time()
    {
        await using var h = new PipelineHarness(o => o.BatchSize = 1);
        var source = new QueueSource();
        var store = h.Get<Core.DeadLetters.DeadLetterStore>();
        // 99 °C is outside the profile's temperature range: the field is dropped, the rest of the reading kept.
        var (topic, payload) = PipelineHarness.Environment("hot-1");
        var hot = payload.Replace("\"t\":23.4", "\"t\":99", StringComparison.Ordinal);
        for (var i = 0; i < 5; i++)
        {
            await source.SendAsync(h.Pipeline, topic, hot);
            h.Time.Advance(TimeSpan.FromSeconds(10));
        }

        await h.Pipeline.FlushAsync(CancellationToken.None).WaitAsync(Bound);
        Assert.Equal(5, h.Get<PipelineStats>().FieldsRejected);
        Assert.Equal(5, h.Sink.Lines.Count(l => l.StartsWith("environment,", StringComparison.Ordinal) && !l.Contains("temperature=", StringComparison.Ordinal)));
        var record = Assert.Single(store.Recent());
        Assert.Equal("FieldRejected:OutOfRange", record.Reason);

        h.Time.Advance(TimeSpan.FromSeconds(15)); // a minute after the first record
        await source.SendAsync(h.Pipeline, topic, hot);
        await h.Pipeline.FlushAsync(CancellationToken.None).WaitAsync(Bound);
        Assert.Equal(2, store.Recent().Count);
        Assert.Equal(6, h.Get<PipelineStats>().FieldsRejected);
    }

    [Fact]
    public async Task Alert_transitions_travel_with_their_batch_and_reach_the_outbox_before_the_acknowledgement()
    {
        await using var h = new PipelineHarness(o => o.BatchSize = 1);
        var source = new QueueSource { AtAcknowledge = () => h.Outbox.Committed.Count };
        // pm2_5_high (config/rules/indoor-air.yaml) fires on a single reading above its threshold.
        await Send(h, source, "dev-1", pm25: 300);
        await h.Pipeline.FlushAsync(CancellationToken.None).WaitAsync(Bound);

        var alert = Assert.Single(h.Outbox.Committed, a => a.DeviceId == "dev-1");
        Assert.Contains(h.Sink.Lines, l => l.StartsWith("alerts,", StringComparison.Ordinal) && l.Contains(alert.RuleName, StringComparison.Ordinal));
        Assert.True(source.Acks.Single().Observed >= 1, "the message was acknowledged before its alert was committed");
    }

    [Fact]
    public async Task A_sink_that_takes_nothing_for_HoldAfter_leaves_alerting_on_up_to_MaxHeldMessages_unacknowledged()
    {
        var sink = new RecordingSink();
        await using var h = HoldingHarness(sink);
        var source = new QueueSource();
        await FillWhileStalledAsync(h, source, sink); // a full spool under Block: the write never completes

        // A slow sink (not yet HoldAfter) still stops the reading, as before.
        var waiting = Send(h, source, "dev-3");
        Assert.False(waiting.IsCompleted, "the pipeline read past a full queue before the sink had stalled for HoldAfter");

        h.Time.Advance(TimeSpan.FromSeconds(6));
        await waiting.WaitAsync(Bound); // the sealing looks again, sees the stall and holds the batch instead
        await h.Pipeline.TickAsync(runRules: false, CancellationToken.None).WaitAsync(Bound);
        await Send(h, source, "dev-4", pm25: 300).WaitAsync(Bound); // held, evaluated: its alert goes out
        await Eventually.UntilAsync(() => h.Outbox.Committed.Any(a => a.DeviceId == "dev-4"), Bound);
        Assert.Empty(source.Acks);
        Assert.True(h.Get<BatchAssembler>().Holding);

        // Over MaxHeldMessages the pipeline stops reading again.
        var over = Send(h, source, "dev-5");
        Assert.False(over.IsCompleted, "the pipeline held more than MaxHeldMessages");

        sink.Release();
        await over.WaitAsync(Bound);
        await h.Pipeline.FlushAsync(CancellationToken.None).WaitAsync(Bound);
        Assert.Equal([1L, 2L, 3L, 4L, 5L], source.Acks.Select(a => a.Sequence));
        Assert.False(h.Get<BatchAssembler>().Holding);
    }

    [Fact]
    public async Task A_hold_is_logged_once_when_it_starts_and_once_when_it_ends_however_often_the_sink_takes_a_batch_in_between()
    {
        var sink = new RecordingSink();
        await using var h = HoldingHarness(sink);
        var source = new QueueSource();
        var assembler = h.Get<BatchAssembler>();
        await FillWhileStalledAsync(h, source, sink);
        var third = Send(h, source, "dev-3");
        h.Time.Advance(TimeSpan.FromSeconds(6));
        await third.WaitAsync(Bound);
        await Send(h, source, "dev-4").WaitAsync(Bound);
        var over = Send(h, source, "dev-5"); // over MaxHeldMessages: waits
        Assert.Equal(3, assembler.HeldMessages);

        // The sink takes one batch (a slow store, not a dead one), then stalls again for HoldAfter.
        sink.ReleaseOne();
        await Eventually.UntilAsync(() => assembler.HeldMessages == 2, Bound);
        Assert.False(over.IsCompleted, "the pipeline read on while the sink was taking batches again");
        h.Time.Advance(TimeSpan.FromSeconds(6));
        await over.WaitAsync(Bound);
        Assert.True(assembler.Holding);

        sink.Release();
        await h.Pipeline.FlushAsync(CancellationToken.None).WaitAsync(Bound);
        Assert.False(assembler.Holding);
        var events = h.Logs.GetSnapshot().Select(r => r.Id.Id).Where(id => id is 213 or 214).ToArray();
        Assert.Equal([213, 214], events);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_message_whose_sender_waits_is_written_at_the_next_tick_not_after_the_flush_interval(bool awaited)
    {
        await using var h = new PipelineHarness(o =>
        {
            o.BatchSize = 1000;
            o.FlushInterval = TimeSpan.FromSeconds(10);
            o.IdleFlush = TimeSpan.FromSeconds(10);
        });
        var source = new QueueSource("http", null) { AwaitsAcknowledgement = awaited };
        var sent = Send(h, source, "dev-1");
        await sent.WaitAsync(Bound);
        await h.Pipeline.TickAsync(runRules: false, CancellationToken.None).WaitAsync(Bound);
        if (awaited)
        {
            await Eventually.UntilAsync(() => source.Acks.Count == 1, Bound);
        }
        else
        {
            // The tick ran (it sealed nothing), and what it left open goes out only at the flush interval.
            await h.Pipeline.TickAsync(runRules: false, CancellationToken.None).WaitAsync(Bound);
            Assert.Empty(source.Acks);
            Assert.Equal(0, h.Sink.LineCount);
            h.Time.Advance(TimeSpan.FromSeconds(11));
            await h.Pipeline.TickAsync(runRules: false, CancellationToken.None).WaitAsync(Bound);
            await Eventually.UntilAsync(() => source.Acks.Count == 1, Bound);
        }

        Assert.Equal(1, h.Sink.LineCount);
    }

    [Fact]
    public async Task Alerts_reach_the_outbox_while_the_sink_still_holds_their_batch()
    {
        var sink = new RecordingSink();
        await using var h = new PipelineHarness(o => o.BatchSize = 1, sink);
        var source = new QueueSource();
        sink.Hold(); // InfluxDB away: the batch's write does not complete
        var started = sink.WriteStarted;
        await Send(h, source, "dev-1", pm25: 300);
        await started.WaitAsync(Bound);

        await Eventually.UntilAsync(() => h.Outbox.Committed.Count == 1, Bound);
        Assert.Empty(source.Acks);
        Assert.Equal(0, sink.LineCount);

        sink.Release();
        await h.Pipeline.FlushAsync(CancellationToken.None).WaitAsync(Bound);
        Assert.Single(source.Acks);
    }

    [Fact]
    public async Task A_failing_outbox_is_retried_and_its_messages_wait_for_it()
    {
        await using var h = new PipelineHarness(o => o.BatchSize = 1);
        h.Outbox.FailuresLeft = 2;
        var source = new QueueSource { AtAcknowledge = () => h.Outbox.Committed.Count };
        await Send(h, source, "dev-1", pm25: 300);

        await Eventually.UntilAsync(() => h.Get<PipelineStats>().OutboxFailures == 1, Bound);
        await Eventually.UntilAsync(() => h.Sink.LineCount >= 1, Bound); // the readings are durable, the alert is not yet
        Assert.Empty(source.Acks);

        var flush = h.Pipeline.FlushAsync(CancellationToken.None);
        await AdvanceUntil(h, flush.ContinueWith(_ => 0, TaskScheduler.Default));
        Assert.Equal(2, h.Get<PipelineStats>().OutboxFailures);
        Assert.Single(h.Outbox.Committed, a => a.DeviceId == "dev-1");
        Assert.Equal(1, Assert.Single(source.Acks).Observed);
    }

    /// <summary>One message per batch, one in the sink, one in the writer's queue, and a hold of up to two messages after 5 s.</summary>
    private static PipelineHarness HoldingHarness(RecordingSink sink) => new(o =>
    {
        o.BatchSize = 1;
        o.MaxPendingBatches = 1;
        o.MaxWritesInFlight = 1;
        o.MaxHeldMessages = 2;
        o.HoldAfter = TimeSpan.FromSeconds(5);
    }, sink);

    /// <summary>Stalls the sink on dev-1's write and fills the writer's queue with dev-2.</summary>
    private static async Task FillWhileStalledAsync(PipelineHarness h, QueueSource source, RecordingSink sink)
    {
        sink.Hold();
        var first = sink.WriteStarted;
        await Send(h, source, "dev-1");
        await first.WaitAsync(Bound);
        await Send(h, source, "dev-2");
    }

    /// <summary>A batch per reading and room for one sealed batch in the queue: the sink's pace shows at once.</summary>
    private static PipelineHarness OneBatchPerReading(RecordingSink sink, int writesInFlight) => new(
        o =>
        {
            o.BatchSize = 1;
            o.MaxPendingBatches = 1;
            o.MaxWritesInFlight = writesInFlight;
        },
        sink);

    private static Task<long> Send(PipelineHarness h, QueueSource source, string device, double pm25 = 9.4)
    {
        var (topic, payload) = PipelineHarness.Environment(device, pm25);
        return source.SendAsync(h.Pipeline, topic, payload);
    }

    private static async Task<T> AdvanceUntil<T>(PipelineHarness h, Task<T> task)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (!task.IsCompleted)
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the pipeline");
            h.Time.Advance(TimeSpan.FromMilliseconds(50));
            await Task.Delay(5);
        }

        return await task;
    }
}
