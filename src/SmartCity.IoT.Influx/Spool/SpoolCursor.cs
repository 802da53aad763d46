using System.Buffers.Binary;
using System.IO.Hashing;
using Microsoft.Extensions.Logging;

namespace SmartCity.IoT.Influx.Spool;

/// <summary>
/// The next record to replay, and its durable copy <c>cursor</c>: segment and offset (little-endian) and a CRC-32, written with
/// write-temp-then-rename. Not thread-safe: the owning <see cref="DiskSpool"/> calls it under its lock.
/// </summary>
internal sealed class SpoolCursor(string directory, bool fsync, bool readOnly, ILogger logger)
{
    public const string FileName = "cursor";
    private const int Size = 20;

    public long Segment { get; private set; }

    public long Offset { get; private set; }

    public void MoveTo(long segment, long offset)
    {
        Segment = segment;
        Offset = offset;
    }

    /// <summary>Writes the position durably (nothing when inspecting).</summary>
    public void Persist()
    {
        if (readOnly)
        {
            return;
        }

        Span<byte> data = stackalloc byte[Size];
        BinaryPrimitives.WriteInt64LittleEndian(data, Segment);
        BinaryPrimitives.WriteInt64LittleEndian(data[8..], Offset);
        BinaryPrimitives.WriteUInt32LittleEndian(data[16..], Crc32.HashToUInt32(data[..16]));
        var path = Path.Combine(directory, FileName);
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.None))
        {
            stream.Write(data);
            stream.Flush(flushToDisk: fsync);
        }

        File.Move(temp, path, overwrite: true);
    }

    /// <summary>The position last persisted, or null when there is none or it is damaged (reported).</summary>
    public (long Segment, long Offset)? ReadPersisted()
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        var data = File.ReadAllBytes(path);
        if (data.Length != Size || Crc32.HashToUInt32(data.AsSpan(0, 16)) != BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(16)))
        {
            // Replaying from the oldest segment instead only repeats points InfluxDB already has (same series and time).
            Log.SpoolCursorDamaged(logger, path);
            return null;
        }

        return (BinaryPrimitives.ReadInt64LittleEndian(data), BinaryPrimitives.ReadInt64LittleEndian(data.AsSpan(8)));
    }
}
