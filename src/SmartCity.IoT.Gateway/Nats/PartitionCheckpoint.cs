using System.Buffers.Binary;

namespace SmartCity.IoT.Gateway.Nats;

/// <summary>
/// The value of a partition's key in the state bucket: which partition, the stream position its rule state reflects
/// (every message of the partition up to that stream sequence), when it was written, and the engine's checkpoint of the
/// partition's devices.
/// </summary>
internal sealed record PartitionCheckpoint(int Partition, long Position, long SavedUnixMs, ReadOnlyMemory<byte> State)
{
    private const int Magic = 0x53504353; // "SCPS"
    private const int Version = 1;
    private const int HeaderBytes = 4 + 4 + 4 + 8 + 8;

    public static string KeyOf(int partition) => $"rules.{partition}";

    public byte[] Format()
    {
        var bytes = new byte[HeaderBytes + State.Length];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteInt32LittleEndian(span, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], Version);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], Partition);
        BinaryPrimitives.WriteInt64LittleEndian(span[12..], Position);
        BinaryPrimitives.WriteInt64LittleEndian(span[20..], SavedUnixMs);
        State.Span.CopyTo(span[HeaderBytes..]);
        return bytes;
    }

    /// <exception cref="InvalidDataException">Not a partition checkpoint of a supported version.</exception>
    public static PartitionCheckpoint Parse(ReadOnlyMemory<byte> value)
    {
        var span = value.Span;
        if (span.Length < HeaderBytes || BinaryPrimitives.ReadInt32LittleEndian(span) != Magic)
        {
            throw new InvalidDataException("not a partition rule-state checkpoint");
        }

        var version = BinaryPrimitives.ReadInt32LittleEndian(span[4..]);
        if (version != Version)
        {
            throw new InvalidDataException($"partition checkpoint version {version} is not supported (expected {Version})");
        }

        return new PartitionCheckpoint(
            BinaryPrimitives.ReadInt32LittleEndian(span[8..]),
            BinaryPrimitives.ReadInt64LittleEndian(span[12..]),
            BinaryPrimitives.ReadInt64LittleEndian(span[20..]),
            value[HeaderBytes..]);
    }
}
