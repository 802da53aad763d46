using System.Runtime.InteropServices;
using SmartCity.IoT.Core.Decoding;
using static SmartCity.IoT.Core.Tests.Decoding.DecoderTestKit;

namespace SmartCity.IoT.Core.Tests.Decoding;

public sealed class MessageDecoderTests
{
    [Fact]
    public void Tags_are_topic_slices_plus_device_and_model()
    {
        var json = new JsonPayloadDecoder();
        JsonField(json, "temperature", "$.t");
        var decoder = Decoder("b/{building}/f/{floor}/{device}", json);
        var reading = NewReading();
        const string topic = "b/annex/f/5/ies-9";
        Assert.True(decoder.Decode(topic, """{"t":1}"""u8, reading, 1).IsSuccess);
        Assert.Equal(["building", "floor", "device", "model"], reading.Tags.ToArray().Select(t => t.Key));
        Assert.True(MemoryMarshal.TryGetString(reading.DeviceId, out var text, out var start, out var length));
        Assert.Same(topic, text);
        Assert.Equal("ies-9", topic.Substring(start, length));
        Assert.True(reading.TryGetTag("model", out var model) && model.Span.SequenceEqual("acme/x"));
    }

    [Fact]
    public void Unknown_topics_and_oversized_payloads_fail_with_their_reason()
    {
        var json = new JsonPayloadDecoder();
        JsonField(json, "temperature", "$.t");
        var decoder = Decoder("b/{building}/{device}", json, maxPayload: 16);
        var reading = NewReading();
        var r1 = decoder.Decode("c/hq/x", """{"t":1}"""u8, reading, 1);
        Assert.Equal(DecodeError.NoMatchingProfile, r1.Error);
        Assert.Equal("topic 'c/hq/x' matches no profile's telemetry or availability template", r1.Detail);
        var r2 = decoder.Decode("b/hq/x", """{"t":1,"pad":"0123456789"}"""u8, reading, 1);
        Assert.Equal(DecodeError.PayloadTooLarge, r2.Error);
        Assert.Equal("payload is 26 bytes, the limit for acme/x is 16", r2.Detail);
        var deep = string.Join('/', Enumerable.Repeat("a", 40));
        Assert.Equal(DecodeError.NoMatchingProfile, decoder.Decode(deep, "{}"u8, reading, 1).Error);
    }

    [Fact]
    public void Availability_topics_report_online_and_offline()
    {
        var json = new JsonPayloadDecoder();
        JsonField(json, "temperature", "$.t");
        var availability = new AvailabilityTopic(TopicTemplate.Parse("z/{device}/availability"), new AvailabilityValues(["online"], ["offline"]), JsonPath.Parse("$.state"));
        var decoder = Decoder("z/{device}", json, availability);
        var reading = NewReading();
        var off = decoder.Decode("z/kitchen/availability", """{"state":"offline"}"""u8, reading, 1);
        Assert.True(off.IsSuccess && off.IsAvailability && !off.Online);
        Assert.Equal("kitchen", reading.DeviceId.ToString());
        Assert.Equal(0, reading.FieldCount);
        var on = decoder.Decode("z/kitchen/availability", """{"state":"ONLINE"}"""u8, reading, 1);
        Assert.True(on.Online);
        var odd = decoder.Decode("z/kitchen/availability", """{"state":"sleeping"}"""u8, reading, 1);
        Assert.Equal(DecodeError.UnknownAvailability, odd.Error);
        Assert.False(odd.IsAvailability); // dead-lettered like any failure, never taken as "offline"
        Assert.False(odd.Online);
        Assert.Contains("'sleeping' is none of online (online), offline (offline)", odd.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Value_payloads_pick_the_field_from_the_topic()
    {
        var decoder = Decoder("w/{device}/{field}", new ValuePayloadDecoder([("t", Map("temperature", "topic level 't'")), ("occ", Map("occupancy", "topic level 'occ'"))]));
        var reading = NewReading();
        Assert.True(decoder.Decode("w/d1/t", " 21.5\n"u8, reading, 1).IsSuccess);
        Assert.Equal(21.5, reading.GetOrNaN(0));
        Assert.False(reading.TryGetTag("field", out _));
        Assert.True(decoder.Decode("w/d1/occ", "ON"u8, reading, 1).IsSuccess);
        Assert.Equal(1, reading.GetOrNaN(3));
        var unknown = decoder.Decode("w/d1/orp", "1"u8, reading, 1);
        Assert.Equal(DecodeError.NoMatchingProfile, unknown.Error);
        var bad = decoder.Decode("w/d1/t", "hot"u8, reading, 1);
        Assert.Equal(DecodeError.NoValidFields, bad.Error);
        Assert.Equal(DecodeError.WrongType, bad.RejectionReason);
    }

    [Fact]
    public void Binary_payloads_in_raw_hex_and_base64_decode_alike()
    {
        BinaryLayout Layout() => new([
            new BinaryField(Map("people_count", "bytes 0..1"), 0, 2, false, true, false, 0, 0, 1, 0),
            new BinaryField(Map("temperature", "bytes 2..3", decimals: 2), 2, 2, true, false, false, 0, 0, 0.01, 0),
            new BinaryField(Map("occupancy", "byte 4 bit 7"), 4, 1, false, true, false, 7, 1, 1, 0),
        ]);
        byte[] frame = [0x00, 0x0C, 0x38, 0xFF, 0x80];
        var reading = NewReading();
        foreach (var (encoding, payload) in new[]
        {
            (BinaryEncoding.Raw, frame),
            (BinaryEncoding.Hex, System.Text.Encoding.ASCII.GetBytes("00 0c 38 ff 80")),
            (BinaryEncoding.Base64, System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(frame))),
        })
        {
            var result = Decoder("o/{device}", new BinaryPayloadDecoder(Layout(), encoding)).Decode("o/d", payload, reading, 1);
            Assert.True(result.IsSuccess, encoding + ": " + result);
            Assert.Equal(12, reading.GetOrNaN(2));
            Assert.Equal(-2, reading.GetOrNaN(0));
            Assert.Equal(1, reading.GetOrNaN(3));
        }

        var bad = Decoder("o/{device}", new BinaryPayloadDecoder(Layout(), BinaryEncoding.Hex)).Decode("o/d", "0x0G"u8, reading, 1);
        Assert.Equal(DecodeError.MalformedPayload, bad.Error);
        Assert.Equal("payload: not valid hex text", bad.Detail);
    }
}
