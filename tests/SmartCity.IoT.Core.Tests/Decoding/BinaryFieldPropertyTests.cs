using FsCheck;
using FsCheck.Xunit;
using SmartCity.IoT.Core.Decoding;
using static SmartCity.IoT.Core.Tests.Decoding.DecoderTestKit;

namespace SmartCity.IoT.Core.Tests.Decoding;

/// <summary>Round trips of encoded values across offsets, widths, signedness, endianness and bit fields.</summary>
public sealed class BinaryFieldPropertyTests
{
    private static readonly FieldMapping Mapping = Map("co2", "bytes");

    [Property(MaxTest = 2000)]
    public bool Whole_integers_round_trip(byte offsetSeed, byte lengthSeed, bool signed, bool bigEndian, long valueSeed, byte fill)
    {
        var offset = offsetSeed % 12;
        var length = lengthSeed % 8 + 1;
        var field = new BinaryField(Mapping, offset, length, signed, bigEndian, false, 0, 0, 1, 0);
        var (min, max) = field.RawRange;
        var value = Wrap(valueSeed, min, max);
        var frame = new byte[offset + length + 3];
        Array.Fill(frame, fill);
        field.WriteRaw(frame, value);

        // Bytes outside the field are untouched.
        var outsideIntact = frame.AsSpan(0, offset).IndexOfAnyExcept(fill) < 0 && frame.AsSpan(offset + length).IndexOfAnyExcept(fill) < 0;
        return outsideIntact && field.Read(frame) == (double)value;
    }

    [Property(MaxTest = 2000)]
    public bool Bit_fields_round_trip_without_disturbing_neighbours(byte lengthSeed, byte bitOffsetSeed, byte bitCountSeed, bool signed, bool bigEndian, long valueSeed, long otherSeed)
    {
        var length = lengthSeed % 4 + 1;
        var width = length * 8;
        var bitOffset = bitOffsetSeed % width;
        var bitCount = bitCountSeed % (width - bitOffset) + 1;
        var field = new BinaryField(Mapping, 1, length, signed, bigEndian, false, bitOffset, bitCount, 1, 0);
        var whole = new BinaryField(Mapping, 1, length, false, bigEndian, false, 0, 0, 1, 0);
        var (min, max) = field.RawRange;
        var value = Wrap(valueSeed, min, max);
        var frame = new byte[length + 2];
        whole.WriteRaw(frame, Wrap(otherSeed, 0, whole.RawRange.Max));
        var before = (ulong)whole.Read(frame);
        field.WriteRaw(frame, value);
        var after = (ulong)whole.Read(frame);
        var mask = (bitCount >= 64 ? ulong.MaxValue : (1UL << bitCount) - 1) << bitOffset;
        return field.Read(frame) == (double)value && (before & ~mask) == (after & ~mask);
    }

    [Property(MaxTest = 500)]
    public bool Floats_round_trip(bool bigEndian, bool doublePrecision, NormalFloat value, byte offsetSeed)
    {
        var length = doublePrecision ? 8 : 4;
        var field = new BinaryField(Mapping, offsetSeed % 6, length, true, bigEndian, true, 0, 0, 1, 0);
        var frame = new byte[field.End];
        field.WriteRaw(frame, 0, value.Get);
        var expected = doublePrecision ? value.Get : (double)(float)value.Get;
        return field.Read(frame) == expected;
    }

    [Property(MaxTest = 500)]
    public bool Scale_and_add_apply_after_the_raw_read(short raw, bool bigEndian)
    {
        var field = new BinaryField(Mapping, 0, 2, true, bigEndian, false, 0, 0, 0.1, -40);
        var frame = new byte[2];
        field.WriteRaw(frame, raw);
        return field.Read(frame) == raw * 0.1 - 40;
    }

    [Fact]
    public void Known_frames_decode_as_the_datasheet_says()
    {
        // Dragino LHT65: battery = bytes 0-1 & 0x3FFF (mV); temperature int16 big endian / 100.
        byte[] frame = [0xCB, 0xBD, 0xFF, 0x38];
        Assert.Equal(3005, new BinaryField(Mapping, 0, 2, false, true, false, 0, 14, 1, 0).Read(frame));
        Assert.Equal(-2, new BinaryField(Mapping, 2, 2, true, true, false, 0, 0, 0.01, 0).Read(frame), 10);
        Assert.Equal(0x38FF, new BinaryField(Mapping, 2, 2, false, false, false, 0, 0, 1, 0).Read(frame));
        Assert.Equal(3, new BinaryField(Mapping, 0, 1, false, true, false, 6, 2, 1, 0).Read(frame));
    }

    [Fact]
    public void Invalid_layouts_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BinaryField(Mapping, 0, 9, false, true, false, 0, 0, 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BinaryField(Mapping, 0, 2, false, true, true, 0, 0, 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BinaryField(Mapping, 0, 1, false, true, false, 4, 5, 1, 0));
    }

    private static long Wrap(long seed, long min, long max)
    {
        if (min == long.MinValue && max == long.MaxValue)
        {
            return seed;
        }

        var span = (ulong)(max - min) + 1;
        return min + (long)((ulong)seed % span);
    }
}
