using System.Text;
using SmartCity.IoT.Influx.Spool;
using SmartCity.IoT.Influx.Tests.Fixtures;

namespace SmartCity.IoT.Influx.Tests;

public sealed class DiskSpoolTests : IDisposable
{
    private readonly TempDir _dir = new("spool");

    public void Dispose() => _dir.Dispose();

    private SpoolOptions Options(long segmentBytes = 64 * 1024, long maxBytes = 16 << 20, SpoolFullPolicy policy = SpoolFullPolicy.Block) =>
        new() { Path = _dir.Sub("spool"), SegmentBytes = segmentBytes, MaxBytes = maxBytes, FullPolicy = policy };

    private static List<string> Drain(DiskSpool spool)
    {
        var batches = new List<string>();
        while (spool.TryReadNext(out var record))
        {
            batches.Add(Encoding.UTF8.GetString(record!.Payload.Span));
            spool.Commit(record);
        }

        return batches;
    }

    [Fact]
    public async Task Batches_come_back_in_order_across_segments_and_consumed_segments_are_deleted()
    {
        using var spool = DiskSpool.Open(Options(segmentBytes: 4096));
        for (var i = 0; i < 50; i++)
        {
            await spool.AppendAsync(Batches.Numbered("m", i * 10, 10), 10, CancellationToken.None);
        }

        Assert.True(spool.Segments.Count > 3, $"expected several segments, got {spool.Segments.Count}");
        Assert.Equal(500, spool.PendingLines);

        var batches = Drain(spool);

        Assert.Equal(50, batches.Count);
        Assert.Equal(Encoding.UTF8.GetString(Batches.Numbered("m", 0, 10)), batches[0]);
        Assert.Equal(Encoding.UTF8.GetString(Batches.Numbered("m", 490, 10)), batches[49]);
        Assert.Equal(0, spool.PendingLines);
        Assert.Empty(Directory.GetFiles(spool.DirectoryPath, "seg-*"));
    }

    [Fact]
    public async Task The_cursor_survives_a_restart_so_replayed_batches_are_not_replayed_again()
    {
        using (var spool = DiskSpool.Open(Options()))
        {
            for (var i = 0; i < 5; i++)
            {
                await spool.AppendAsync(Batches.Numbered("m", i, 1), 1, CancellationToken.None);
            }

            for (var i = 0; i < 2; i++)
            {
                Assert.True(spool.TryReadNext(out var r));
                spool.Commit(r!);
            }
        }

        using var reopened = DiskSpool.Open(Options());
        Assert.Equal(3, reopened.PendingLines);
        var rest = Drain(reopened);
        Assert.Equal(3, rest.Count);
        Assert.StartsWith("m,src=test v=2 ", rest[0], StringComparison.Ordinal);
        Assert.Empty(reopened.Damage);
    }

    [Fact]
    public async Task A_truncated_tail_and_a_flipped_byte_are_reported_and_skipped_and_everything_else_is_kept()
    {
        // Fault test 4: two segments; the first gets one byte flipped inside its 3rd record, the second is cut mid-record.
        var options = Options(segmentBytes: 4096);
        using (var spool = DiskSpool.Open(options))
        {
            for (var i = 0; i < 40; i++)
            {
                await spool.AppendAsync(Batches.Numbered("m", i * 5, 5), 5, CancellationToken.None);
            }
        }

        var segments = Directory.GetFiles(options.Path, "seg-*.spool").Order().ToArray();
        Assert.True(segments.Length >= 2);
        var recordSize = SpoolFormat.RecordHeaderSize + Batches.Numbered("m", 10, 5).Length;
        var lastRecordSize = SpoolFormat.RecordHeaderSize + Batches.Numbered("m", 195, 5).Length;
        var first = File.ReadAllBytes(segments[0]);
        var thirdRecord = SpoolFormat.SegmentHeaderSize + (2 * SpoolFormat.RecordHeaderSize) + Batches.Numbered("m", 0, 10).Length;
        first[thirdRecord + SpoolFormat.RecordHeaderSize + 7] ^= 0x20;
        File.WriteAllBytes(segments[0], first);
        var lastLength = new FileInfo(segments[^1]).Length;
        using (var f = new FileStream(segments[^1], FileMode.Open))
        {
            f.SetLength(lastLength - (lastRecordSize / 2));
        }

        int recordsInLast;
        using (var inspect = DiskSpool.Inspect(options.Path))
        {
            Assert.Equal(2, inspect.Damage.Count);
            recordsInLast = (int)inspect.Segments[^1].PendingRecords;
        }

        using var reopened = DiskSpool.Open(options);

        Assert.Equal(2, reopened.Damage.Count);
        var flipped = Assert.Single(reopened.Damage, d => d.Kind == SpoolDamageKind.CorruptRecord);
        Assert.Equal(5, flipped.LinesLost);
        Assert.Equal(thirdRecord, flipped.Offset);
        Assert.Equal(recordSize, flipped.Bytes);
        var torn = Assert.Single(reopened.Damage, d => d.Kind == SpoolDamageKind.TornTail);
        Assert.Equal(5, torn.LinesLost);
        Assert.Equal(lastLength - lastRecordSize, new FileInfo(segments[^1]).Length); // the torn record was cut

        Assert.Equal(190, reopened.PendingLines); // the damaged batches are not counted as pending
        var batches = Drain(reopened);
        Assert.Equal(38, batches.Count);
        Assert.Equal(0, reopened.PendingLines);
        Assert.True(reopened.IsEmpty);
        var values = batches.SelectMany(b => b.Split('\n', StringSplitOptions.RemoveEmptyEntries)).Select(l => int.Parse(l.Split(' ')[1][2..], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Enumerable.Range(0, 200).Where(v => v / 5 != 2 && v / 5 != 39), values);
        Assert.True(recordsInLast > 0);
    }

    [Fact]
    public async Task A_garbage_tail_is_cut_and_appends_continue_cleanly_after_it()
    {
        var options = Options();
        using (var spool = DiskSpool.Open(options))
        {
            await spool.AppendAsync(Batches.Numbered("m", 0, 3), 3, CancellationToken.None);
        }

        var segment = Directory.GetFiles(options.Path, "seg-*.spool").Single();
        File.AppendAllText(segment, "half a record of garbage written when the power went");

        using (var spool = DiskSpool.Open(options))
        {
            var damage = Assert.Single(spool.Damage);
            Assert.Equal(SpoolDamageKind.CorruptTail, damage.Kind);
            await spool.AppendAsync(Batches.Numbered("m", 3, 3), 3, CancellationToken.None);
        }

        using var again = DiskSpool.Open(options);
        Assert.Empty(again.Damage);
        Assert.Equal(2, Drain(again).Count);
    }

    [Fact]
    public async Task Block_waits_for_replay_to_free_room_and_says_the_spool_is_full()
    {
        var status = new StoreStatus(true, 8192);
        using var spool = DiskSpool.Open(Options(segmentBytes: 4096, maxBytes: 8192), status);
        var batch = Batches.Numbered("m", 0, 40); // ~1.4 KB
        var appended = 0;
        while (true)
        {
            var task = spool.AppendAsync(batch, 40, CancellationToken.None).AsTask();
            if (!task.IsCompleted)
            {
                Assert.True(status.SpoolFull);
                Assert.False(status.IsReady); // /readyz: InfluxDB not writable and the spool at its bound
                Assert.True(spool.Bytes <= 8192);
                // Room is freed a whole consumed segment at a time.
                for (var i = 0; i < 10 && !task.IsCompleted; i++)
                {
                    Assert.True(spool.TryReadNext(out var r));
                    spool.Commit(r!);
                    await Task.Delay(20);
                }

                await task.WaitAsync(TimeSpan.FromSeconds(5));
                break;
            }

            await task;
            appended++;
            Assert.True(appended < 20, "the spool never filled");
        }

        Assert.False(status.SpoolFull);
        Assert.True(status.IsReady);
        Assert.Equal(0, spool.DroppedLines);
    }

    [Fact]
    public async Task Block_can_be_cancelled_and_the_batch_is_not_stored()
    {
        using var spool = DiskSpool.Open(Options(segmentBytes: 4096, maxBytes: 8192));
        var batch = Batches.Numbered("m", 0, 40);
        for (var i = 0; i < 5; i++)
        {
            await spool.AppendAsync(batch, 40, CancellationToken.None);
        }

        var before = spool.PendingLines;
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await spool.AppendAsync(batch, 40, cts.Token));
        Assert.Equal(before, spool.PendingLines);
    }

    [Fact]
    public async Task DropNewest_discards_incoming_batches_and_counts_them()
    {
        var status = new StoreStatus(true, 8192, SpoolFullPolicy.DropNewest);
        using var spool = DiskSpool.Open(Options(segmentBytes: 4096, maxBytes: 8192, policy: SpoolFullPolicy.DropNewest), status);
        var results = new List<SpoolAppendResult>();
        for (var i = 0; i < 10; i++)
        {
            results.Add(await spool.AppendAsync(Batches.Numbered("m", i * 40, 40), 40, CancellationToken.None));
        }

        var dropped = results.Count(r => r == SpoolAppendResult.DroppedNewest);
        Assert.True(dropped > 0);
        Assert.Equal(dropped * 40, status.DroppedByPolicy);
        Assert.True(status.SpoolFull);
        Assert.Equal((10 - dropped) * 40, spool.PendingLines);
        Assert.StartsWith("m,src=test v=0 ", Drain(spool)[0], StringComparison.Ordinal); // the oldest are kept
    }

    [Fact]
    public async Task DropOldest_discards_whole_old_segments_and_keeps_the_newest()
    {
        var status = new StoreStatus(true, 8192, SpoolFullPolicy.DropOldest);
        using var spool = DiskSpool.Open(Options(segmentBytes: 4096, maxBytes: 8192, policy: SpoolFullPolicy.DropOldest), status);
        for (var i = 0; i < 10; i++)
        {
            await spool.AppendAsync(Batches.Numbered("m", i * 40, 40), 40, CancellationToken.None);
        }

        Assert.True(status.DroppedByPolicy > 0);
        Assert.Equal(400, status.DroppedByPolicy + spool.PendingLines);
        var batches = Drain(spool);
        Assert.StartsWith("m,src=test v=360 ", batches[^1], StringComparison.Ordinal);
        Assert.DoesNotContain(batches, b => b.StartsWith("m,src=test v=0 ", StringComparison.Ordinal));
    }

    [Fact]
    public void A_second_process_cannot_open_a_spool_in_use()
    {
        using var spool = DiskSpool.Open(Options());
        Assert.ThrowsAny<IOException>(() => DiskSpool.Open(Options()));
    }
}
