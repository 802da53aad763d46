using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Core.Model;
using static SmartCity.IoT.Core.Tests.Decoding.DecoderTestKit;

namespace SmartCity.IoT.Core.Tests.Decoding;

/// <summary>Record-list frames: any order, any subset; every frame that does not fit is refused with its byte offset and its hex.</summary>
public sealed class RecordLayoutTests
{
    private const string Topic = "site/hq/r-1/up";
    private const long Received = 1_763_856_000_000_000_000;

    private static RecordType Temperature(int channel = -1) => new(0x01, 2, "temperature", [new RecordValue(channel, new BinaryField(Map("temperature", "t"), 0, 2, true, true, false, 0, 0, 0.1, 0))]);

    private static RecordType Co2() => new(0x02, 2, "co2", [new RecordValue(-1, new BinaryField(Map("co2", "c"), 0, 2, false, false, false, 0, 0, 1, 0))]);

    private static RecordType Flags() => new(0x03, 1, "", [
        new RecordValue(-1, new BinaryField(Map("occupancy", "o"), 0, 1, false, true, false, 0, 1, 1, 0)),
        new RecordValue(-1, new BinaryField(Map("people_count", "p"), 0, 1, false, true, false, 1, 7, 1, 0)),
    ]);

    private static (DecodeResult Result, Reading Reading) Decode(RecordLayout layout, string hex)
    {
        var decoder = Decoder("site/{building}/{device}/up", new RecordPayloadDecoder(layout, BinaryEncoding.Hex));
        var reading = NewReading();
        return (decoder.Decode(Topic, System.Text.Encoding.ASCII.GetBytes(hex), reading, Received), reading);
    }

    private static RecordLayout Plain(bool lengthByte = false, UnknownRecords unknown = UnknownRecords.Error) =>
        new(RecordMarker.Type, lengthByte, unknown, [Temperature(), Co2(), Flags()]);

    [Theory]
    [InlineData("01 00 EA 02 2C 03 03 0B")]
    [InlineData("03 0B 02 2C 03 01 00 EA")]
    [InlineData("02 2C 03 03 0B 01 00 EA")]
    public void Records_decode_to_the_same_values_in_any_order(string hex)
    {
        var (result, reading) = Decode(Plain(), hex);
        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal(23.4, reading.GetOrNaN(0), 9);
        Assert.Equal(812, reading.GetOrNaN(1)); // little endian 2C 03
        Assert.Equal(1, reading.GetOrNaN(3));
        Assert.Equal(5, reading.GetOrNaN(2));
    }

    [Fact]
    public void A_partial_frame_sets_only_its_records()
    {
        var (result, reading) = Decode(Plain(), "02 2C 03");
        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal([1], reading.FieldIds.ToArray());
    }

    [Fact]
    public void An_unknown_type_is_refused_with_its_offset_and_the_frame_in_hex()
    {
        var (result, _) = Decode(Plain(), "01 00 EA 7F 00");
        Assert.Equal(DecodeError.MalformedPayload, result.Error);
        Assert.Equal("unknown record type 0x7f at byte 3 (known: 0x01 temperature, 0x02 co2, 0x03); frame (hex): 01 00 ea 7f 00", result.Detail);
    }

    [Theory]
    [InlineData("01 00 EA 02 2C", "truncated record 0x02 (co2) at byte 3: needs 2 data byte(s), the frame has 1 left")]
    [InlineData("01 00", "truncated record 0x01 (temperature) at byte 0: needs 2 data byte(s), the frame has 1 left")]
    public void A_truncated_record_is_refused_with_its_offset(string hex, string detail)
    {
        var (result, _) = Decode(Plain(), hex);
        Assert.Equal(DecodeError.MalformedPayload, result.Error);
        Assert.StartsWith(detail, result.Detail, StringComparison.Ordinal);
        Assert.Contains("frame (hex): " + hex.ToLowerInvariant(), result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_length_byte_must_match_and_a_header_must_be_whole()
    {
        var layout = Plain(lengthByte: true);
        Assert.True(Decode(layout, "01 02 00 EA 03 01 0B").Result.IsSuccess);
        Assert.StartsWith("record 0x01 (temperature) at byte 0 has length byte 3, the layout defines 2", Decode(layout, "01 03 00 EA 00").Result.Detail, StringComparison.Ordinal);
        Assert.StartsWith("truncated record at byte 4: the frame ends inside its 2-byte header (1 byte(s) left)", Decode(layout, "01 02 00 EA 02").Result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_record_repeated_in_one_frame_is_refused_rather_than_overwriting()
    {
        var (result, _) = Decode(Plain(), "01 00 EA 01 00 EB");
        Assert.Equal(DecodeError.MalformedPayload, result.Error);
        Assert.StartsWith("record 0x01 (temperature) at byte 3 sets temperature a second time in one frame", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Skip_steps_over_records_of_a_known_length_only()
    {
        // Channel records: channel 7 is not mapped; with 'error' that fails, with 'skip' it is stepped over.
        RecordLayout Channels(UnknownRecords unknown) => new(RecordMarker.ChannelType, false, unknown, [Temperature(channel: 3), Co2()]);
        Assert.StartsWith("record channel 7 type 0x01 (temperature) at byte 0 is not mapped by any field", Decode(Channels(UnknownRecords.Error), "07 01 00 10 03 01 00 EA").Result.Detail, StringComparison.Ordinal);
        var (skipped, reading) = Decode(Channels(UnknownRecords.Skip), "07 01 00 10 03 01 00 EA");
        Assert.True(skipped.IsSuccess, skipped.ToString());
        Assert.Equal(23.4, reading.GetOrNaN(0), 9);

        // An unknown type: skipped only when a length byte says where the next record starts.
        Assert.True(Decode(Plain(lengthByte: true, unknown: UnknownRecords.Skip), "7F 03 AA BB CC 01 02 00 EA").Result.IsSuccess);
        Assert.StartsWith("unknown record type 0x7f at byte 0", Decode(Plain(unknown: UnknownRecords.Skip), "7F AA 01 00 EA").Result.Detail, StringComparison.Ordinal);

        // A declared type no field maps.
        var declared = new RecordLayout(RecordMarker.Type, false, UnknownRecords.Skip, [Temperature(), new RecordType(0x09, 3, "diagnostics", [])]);
        Assert.True(Decode(declared, "09 01 02 03 01 00 EA").Result.IsSuccess);
        var strict = new RecordLayout(RecordMarker.Type, false, UnknownRecords.Error, [Temperature(), new RecordType(0x09, 3, "diagnostics", [])]);
        Assert.StartsWith("record 0x09 (diagnostics) at byte 0 is not mapped by any field", Decode(strict, "09 01 02 03 01 00 EA").Result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_frame_has_no_valid_fields()
    {
        var (result, _) = Decode(Plain(), "");
        Assert.Equal(DecodeError.NoValidFields, result.Error);
    }

    [Fact]
    public void A_fixed_layout_asserts_its_length_and_markers_naming_the_offset_in_hex()
    {
        var layout = new BinaryLayout([new BinaryField(Map("temperature", "bytes 2..3"), 2, 2, true, true, false, 0, 0, 0.1, 0)], 4, [new BinaryMarker(0, [0xCA, 0x01])]);
        var decoder = Decoder("site/{building}/{device}/up", new BinaryPayloadDecoder(layout, BinaryEncoding.Raw));
        var reading = NewReading();
        Assert.True(decoder.Decode(Topic, [0xCA, 0x01, 0x00, 0xEA], reading, Received).IsSuccess);
        Assert.Equal(23.4, reading.GetOrNaN(0), 9);
        Assert.Equal("marker at byte 0 is ca 02, the layout expects ca 01 (another frame type or firmware?); frame (hex): ca 02 00 ea", decoder.Decode(Topic, [0xCA, 0x02, 0x00, 0xEA], reading, Received).Detail);
        Assert.Equal("binary frame has 5 byte(s), the layout is exactly 4 (byte 4 is where they part); frame (hex): ca 01 00 ea 00", decoder.Decode(Topic, [0xCA, 0x01, 0x00, 0xEA, 0x00], reading, Received).Detail);
        Assert.Equal("binary frame has 3 byte(s), the layout is exactly 4 (byte 3 is where they part); frame (hex): ca 01 00", decoder.Decode(Topic, [0xCA, 0x01, 0x00], reading, Received).Detail);
    }

    [Fact]
    public void Binary_bytes_in_messages_are_hex_never_raw()
    {
        Assert.Equal("00 0a ff", HexText.Format([0x00, 0x0A, 0xFF]));
        Assert.Equal("(empty)", HexText.Format([]));
        Assert.Equal("01 02 … (3 bytes)", HexText.Format([1, 2, 3], maxBytes: 2));
    }
}
