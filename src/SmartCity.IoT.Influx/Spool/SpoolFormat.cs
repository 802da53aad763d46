using System.Buffers.Binary;
using System.IO.Hashing;
using Microsoft.Win32.SafeHandles;

namespace SmartCity.IoT.Influx.Spool;

/// <summary>
/// On-disk layout. A segment file <c>seg-NNNNNNNNNNNN.spool</c> starts with a 32-byte header
/// (<c>"SCSPOOL1"</c>, format version, segment index, creation time) followed by records:
/// <c>magic u32 | payload length u32 | line count u32 | CRC-32 u32</c> (little-endian, CRC over length, count and payload)
/// then the payload (the batch's line protocol, exactly as written). The record magic starts with 0xF5, a byte that never
/// occurs in UTF-8 text, so scanning for the next record after damage cannot lock onto line-protocol bytes.
/// </summary>
internal static class SpoolFormat
{
    public const int SegmentHeaderSize = 32;
    public const int RecordHeaderSize = 16;
    public const uint RecordMagic = 0x7EA15CF5;
    public const int Version = 1;
    public const int MaxPayload = 256 << 20;
    public const string SegmentPrefix = "seg-";
    public const string SegmentExtension = ".spool";

    public static ReadOnlySpan<byte> SegmentMagic => "SCSPOOL1"u8;

    public static string SegmentFileName(long index) => $"{SegmentPrefix}{index:D12}{SegmentExtension}";

    public static bool TryParseSegmentIndex(string fileName, out long index)
    {
        index = 0;
        return fileName.StartsWith(SegmentPrefix, StringComparison.Ordinal)
            && fileName.EndsWith(SegmentExtension, StringComparison.Ordinal)
            && long.TryParse(fileName.AsSpan(SegmentPrefix.Length, fileName.Length - SegmentPrefix.Length - SegmentExtension.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out index);
    }

    public static void WriteSegmentHeader(Span<byte> header, long index, long createdUnixMs)
    {
        header[..SegmentHeaderSize].Clear();
        SegmentMagic.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], Version);
        BinaryPrimitives.WriteInt64LittleEndian(header[16..], index);
        BinaryPrimitives.WriteInt64LittleEndian(header[24..], createdUnixMs);
    }

    public static bool IsValidSegmentHeader(ReadOnlySpan<byte> header, long expectedIndex) =>
        header.Length >= SegmentHeaderSize
        && header[..8].SequenceEqual(SegmentMagic)
        && BinaryPrimitives.ReadInt32LittleEndian(header[8..]) == Version
        && BinaryPrimitives.ReadInt64LittleEndian(header[16..]) == expectedIndex;

    public static void WriteRecordHeader(Span<byte> header, ReadOnlySpan<byte> payload, int lineCount)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(header, RecordMagic);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], payload.Length);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], lineCount);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], Checksum(header[4..12], payload));
    }

    public static uint Checksum(ReadOnlySpan<byte> lengthAndCount, ReadOnlySpan<byte> payload)
    {
        var crc = new Crc32();
        crc.Append(lengthAndCount);
        crc.Append(payload);
        return crc.GetCurrentHashAsUInt32();
    }

    /// <summary>Reads the record at <paramref name="offset"/>; the payload is returned only when <paramref name="withPayload"/>.</summary>
    public static RecordRead Read(SafeFileHandle file, long offset, long end, bool withPayload)
    {
        if (offset >= end)
        {
            return new RecordRead(RecordState.End, offset, 0, 0, null);
        }

        Span<byte> header = stackalloc byte[RecordHeaderSize];
        if (end - offset < RecordHeaderSize)
        {
            var got = RandomAccess.Read(file, header[..(int)(end - offset)], offset);
            var magicOk = got < 4 || BinaryPrimitives.ReadUInt32LittleEndian(header) == RecordMagic;
            return new RecordRead(magicOk ? RecordState.Torn : RecordState.Corrupt, offset, 0, 0, null);
        }

        if (RandomAccess.Read(file, header, offset) != RecordHeaderSize || BinaryPrimitives.ReadUInt32LittleEndian(header) != RecordMagic)
        {
            return new RecordRead(RecordState.Corrupt, offset, 0, 0, null);
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
        var lines = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        if (length < 0 || length > MaxPayload || lines < 0)
        {
            return new RecordRead(RecordState.Corrupt, offset, 0, 0, null);
        }

        var next = offset + RecordHeaderSize + length;
        if (next > end)
        {
            return new RecordRead(RecordState.Torn, offset, 0, lines, null);
        }

        var payload = new byte[length];
        if (RandomAccess.Read(file, payload, offset + RecordHeaderSize) != length
            || Checksum(header[4..12], payload) != BinaryPrimitives.ReadUInt32LittleEndian(header[12..]))
        {
            return new RecordRead(RecordState.Corrupt, offset, next, lines, null);
        }

        return new RecordRead(RecordState.Ok, offset, next, lines, withPayload ? payload : null);
    }

    /// <summary>The offset of the next valid record after damage at <paramref name="from"/>, or -1 if none follows.</summary>
    public static long Resync(SafeFileHandle file, long from, long end)
    {
        const int Window = 64 * 1024;
        var buffer = new byte[Window];
        var position = from;
        while (position + RecordHeaderSize <= end)
        {
            var count = RandomAccess.Read(file, buffer.AsSpan(0, (int)Math.Min(Window, end - position)), position);
            if (count < 4)
            {
                break;
            }

            var span = buffer.AsSpan(0, count);
            for (var i = 0; i + 4 <= count; i++)
            {
                i += Math.Max(0, span[i..].IndexOf((byte)0xF5));
                if (span[i] != 0xF5 || i + 4 > count)
                {
                    break;
                }

                if (BinaryPrimitives.ReadUInt32LittleEndian(span[i..]) == RecordMagic
                    && Read(file, position + i, end, withPayload: false).State == RecordState.Ok)
                {
                    return position + i;
                }
            }

            position += count - 3; // overlap so a magic split across windows is still seen
        }

        return -1;
    }
}

internal enum RecordState
{
    Ok,
    End,
    Torn,
    Corrupt,
}

internal readonly record struct RecordRead(RecordState State, long Offset, long Next, int LineCount, byte[]? Payload);
