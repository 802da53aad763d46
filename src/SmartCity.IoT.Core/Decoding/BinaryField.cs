using System.Buffers.Binary;

namespace SmartCity.IoT.Core.Decoding;

/// <summary>
/// One value in a fixed binary layout (the LoRaWAN habit): <see cref="Length"/> bytes at <see cref="Offset"/>, signed or unsigned,
/// big or little endian, optionally an IEEE 754 float, optionally a bit field (<see cref="BitOffset"/> counted from the least
/// significant bit of that integer), then <c>raw * Scale + Add</c> before the unit conversion of its <see cref="FieldMapping"/>.
/// </summary>
public sealed class BinaryField
{
    public BinaryField(FieldMapping mapping, int offset, int length, bool signed, bool bigEndian, bool isFloat, int bitOffset, int bitCount, double scale, double add)
    {
        if (length is < 1 or > 8)
        {
            throw new ArgumentOutOfRangeException(nameof(length), "length must be 1..8 bytes");
        }

        if (isFloat && length is not (4 or 8))
        {
            throw new ArgumentOutOfRangeException(nameof(length), "a float must be 4 or 8 bytes");
        }

        if (bitCount < 0 || bitOffset < 0 || bitOffset + bitCount > length * 8 || (bitCount > 0 && isFloat))
        {
            throw new ArgumentOutOfRangeException(nameof(bitCount), $"bits [{bitOffset}, {bitOffset + bitCount}) do not fit in {length} byte(s)");
        }

        Mapping = mapping;
        Offset = offset;
        Length = length;
        Signed = signed;
        BigEndian = bigEndian;
        IsFloat = isFloat;
        BitOffset = bitOffset;
        BitCount = bitCount;
        Scale = scale;
        Add = add;
    }

    public FieldMapping Mapping { get; }

    public int Offset { get; }

    public int Length { get; }

    public bool Signed { get; }

    public bool BigEndian { get; }

    public bool IsFloat { get; }

    public int BitOffset { get; }

    /// <summary>0 = the whole integer.</summary>
    public int BitCount { get; }

    public double Scale { get; }

    public double Add { get; }

    public int End => Offset + Length;

    /// <summary>Reads the value (after scale and add, before the unit conversion).</summary>
    public double Read(ReadOnlySpan<byte> data)
    {
        var bytes = data.Slice(Offset, Length);
        var raw = ReadUnsigned(bytes);
        if (IsFloat)
        {
            return Length == 4 ? BitConverter.Int32BitsToSingle((int)raw) : BitConverter.Int64BitsToDouble((long)raw);
        }

        var width = Length * 8;
        if (BitCount > 0)
        {
            raw = (raw >> BitOffset) & Mask(BitCount);
            width = BitCount;
        }

        double value = Signed ? SignExtend(raw, width) : raw;
        return value * Scale + Add;
    }

    /// <summary>Writes the raw integer (or float) for <paramref name="value"/> (before scale), keeping other bits (property tests, simulator).</summary>
    public void WriteRaw(Span<byte> data, long rawInteger, double floatValue = 0)
    {
        var bytes = data.Slice(Offset, Length);
        ulong bits;
        if (IsFloat)
        {
            bits = Length == 4 ? (uint)BitConverter.SingleToInt32Bits((float)floatValue) : (ulong)BitConverter.DoubleToInt64Bits(floatValue);
        }
        else if (BitCount > 0)
        {
            var mask = Mask(BitCount);
            bits = (ReadUnsigned(bytes) & ~(mask << BitOffset)) | (((ulong)rawInteger & mask) << BitOffset);
        }
        else
        {
            bits = (ulong)rawInteger & Mask(Length * 8);
        }

        Span<byte> tmp = stackalloc byte[8];
        if (BigEndian)
        {
            BinaryPrimitives.WriteUInt64BigEndian(tmp, bits);
            tmp[(8 - Length)..].CopyTo(bytes);
        }
        else
        {
            BinaryPrimitives.WriteUInt64LittleEndian(tmp, bits);
            tmp[..Length].CopyTo(bytes);
        }
    }

    /// <summary>The smallest and largest raw integer the field can hold.</summary>
    public (long Min, long Max) RawRange
    {
        get
        {
            var width = BitCount > 0 ? BitCount : Length * 8;
            if (Signed)
            {
                return width >= 64 ? (long.MinValue, long.MaxValue) : (-(1L << (width - 1)), (1L << (width - 1)) - 1);
            }

            return width >= 63 ? (0, long.MaxValue) : (0, (1L << width) - 1);
        }
    }

    public string Describe()
    {
        var s = Length == 1 ? $"byte {Offset}" : $"bytes {Offset}..{End - 1}";
        return BitCount > 0 ? $"{s} bits {BitOffset}..{BitOffset + BitCount - 1}" : s;
    }

    private ulong ReadUnsigned(ReadOnlySpan<byte> bytes)
    {
        ulong raw = 0;
        if (BigEndian)
        {
            foreach (var b in bytes)
            {
                raw = (raw << 8) | b;
            }
        }
        else
        {
            for (var i = bytes.Length - 1; i >= 0; i--)
            {
                raw = (raw << 8) | bytes[i];
            }
        }

        return raw;
    }

    private static ulong Mask(int bits) => bits >= 64 ? ulong.MaxValue : (1UL << bits) - 1;

    private static long SignExtend(ulong raw, int width)
    {
        if (width >= 64)
        {
            return (long)raw;
        }

        var shift = 64 - width;
        return (long)(raw << shift) >> shift;
    }
}
