using System.Text;
using SmartCity.IoT.Influx.Spool;
using SmartCity.IoT.Influx.Tests.Fixtures;

namespace SmartCity.IoT.Influx.Tests;

/// <summary>Random truncations and bit flips (seeded, repeatable): opening never throws and never returns a damaged batch.</summary>
public sealed class SpoolDamageFuzzTests
{
    [Fact]
    public async Task Any_truncation_or_flipped_bit_loses_at_most_the_damaged_batches_and_never_returns_a_wrong_one()
    {
        using var dir = new TempDir("spool-fuzz");
        for (var seed = 0; seed < 60; seed++)
        {
            var random = new Random(seed);
            var options = new SpoolOptions { Path = dir.Sub($"s{seed}"), SegmentBytes = 4096, MaxBytes = 1 << 20, Fsync = false };
            var originals = Enumerable.Range(0, 30).Select(i => Encoding.UTF8.GetString(Batches.Numbered("f", i * 4, 1 + random.Next(6)))).ToList();
            using (var spool = DiskSpool.Open(options))
            {
                foreach (var batch in originals)
                {
                    await spool.AppendAsync(Encoding.UTF8.GetBytes(batch), batch.Count(c => c == '\n'), CancellationToken.None);
                }
            }

            var segments = Directory.GetFiles(options.Path, "seg-*.spool").Order().ToArray();
            var flips = random.Next(0, 3);
            for (var f = 0; f < flips; f++)
            {
                var file = segments[random.Next(segments.Length)];
                var bytes = File.ReadAllBytes(file);
                bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                File.WriteAllBytes(file, bytes);
            }

            var truncated = segments[^1];
            var cutAt = random.Next(SpoolFormat.SegmentHeaderSize, (int)new FileInfo(truncated).Length + 1);
            using (var stream = new FileStream(truncated, FileMode.Open))
            {
                stream.SetLength(cutAt);
            }

            using var reopened = DiskSpool.Open(options);
            var read = new List<string>();
            while (reopened.TryReadNext(out var record))
            {
                read.Add(Encoding.UTF8.GetString(record!.Payload.Span));
                reopened.Commit(record);
            }

            // Every batch read back is an original, in the original order (a subsequence).
            var next = 0;
            foreach (var batch in read)
            {
                var at = originals.IndexOf(batch, next);
                Assert.True(at >= 0, $"seed {seed}: a batch came back that was never written or out of order");
                next = at + 1;
            }

            // Each flip costs at most one batch, or one segment if it hit a segment header; the cut costs what was cut.
            var (cutLoss, perSegment) = Layout(originals, segments.Length, cutAt);
            var lost = originals.Count - read.Count;
            Assert.True(lost <= cutLoss + (flips * perSegment), $"seed {seed}: lost {lost} batches, cut {cutLoss}, {flips} flips");
            if (flips == 0)
            {
                Assert.Equal(cutLoss, lost);
            }

            Assert.Equal(0, reopened.PendingLines);
        }
    }

    /// <summary>Batches lost to the cut in the last segment, and the most batches any segment holds.</summary>
    private static (int CutLoss, int PerSegment) Layout(List<string> originals, int segmentCount, int cutAt)
    {
        var perSegment = new int[segmentCount + 1];
        var offset = (long)SpoolFormat.SegmentHeaderSize;
        var segment = 0;
        var cutLoss = 0;
        foreach (var batch in originals)
        {
            var size = SpoolFormat.RecordHeaderSize + Encoding.UTF8.GetByteCount(batch);
            if (offset + size > 4096 && offset > SpoolFormat.SegmentHeaderSize)
            {
                segment++;
                offset = SpoolFormat.SegmentHeaderSize;
            }

            perSegment[segment]++;
            if (segment == segmentCount - 1 && offset + size > cutAt)
            {
                cutLoss++;
            }

            offset += size;
        }

        return (cutLoss, perSegment.Max());
    }
}
