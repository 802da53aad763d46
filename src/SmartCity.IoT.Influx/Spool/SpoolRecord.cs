namespace SmartCity.IoT.Influx.Spool;

/// <summary>One spooled batch read back for replay; pass it to <see cref="DiskSpool.Commit"/> once it is written.</summary>
internal sealed class SpoolRecord
{
    internal SpoolRecord(long segment, long offset, long next, int lineCount, byte[] payload)
    {
        Segment = segment;
        Offset = offset;
        Next = next;
        LineCount = lineCount;
        Payload = payload;
    }

    public long Segment { get; }

    public long Offset { get; }

    internal long Next { get; }

    public int LineCount { get; }

    public ReadOnlyMemory<byte> Payload { get; }
}
