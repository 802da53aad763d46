namespace SmartCity.IoT.Core.Decoding;

/// <summary>Bytes a fixed binary frame must carry at <see cref="Offset"/> (a frame type or version byte), so another frame is never read as this one.</summary>
public sealed record BinaryMarker(int Offset, byte[] Bytes)
{
    public int End => Offset + Bytes.Length;
}
