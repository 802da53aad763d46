using SmartCity.IoT.Core.Decoding;
using static SmartCity.IoT.Core.Tests.Decoding.DecoderTestKit;

namespace SmartCity.IoT.Core.Tests.Decoding;

/// <summary>Bytes that are not printable text appear in error messages as hex, never raw (control characters, invalid UTF-8).</summary>
public sealed class BinaryInMessagesTests
{
    [Fact]
    public void A_binary_payload_on_a_value_topic_is_quoted_as_hex()
    {
        var decoder = Decoder("v/{device}/{field}", new ValuePayloadDecoder([("co2", Map("co2", "co2"))]));
        var result = decoder.Decode("v/d1/co2", [0x01, 0x67, 0x00, 0xEA], NewReading(), 1);
        Assert.False(result.IsSuccess);
        var detail = result.Detail ?? result.RejectionDetail!;
        Assert.Contains("expected a number, got bytes (hex) 01 67 00 ea", detail, StringComparison.Ordinal);
        Assert.DoesNotContain('\u0001', detail);
    }

    [Fact]
    public void A_binary_availability_payload_is_quoted_as_hex_and_text_stays_text()
    {
        var availability = new AvailabilityTopic(TopicTemplate.Parse("v/{device}/status"), new AvailabilityValues(["online"], ["offline"]), null);
        var decoder = Decoder("v/{device}/up", new ValuePayloadDecoder([("co2", Map("co2", "co2"))]), availability);
        Assert.Contains("availability value bytes (hex) ff fe 00 is none of", decoder.Decode("v/d1/status", [0xFF, 0xFE, 0x00], NewReading(), 1).Detail, StringComparison.Ordinal);
        Assert.Contains("availability value 'asleep' is none of", decoder.Decode("v/d1/status", "asleep"u8, NewReading(), 1).Detail, StringComparison.Ordinal);
        Assert.Contains("availability value 'µ-sleep' is none of", decoder.Decode("v/d1/status", "µ-sleep"u8, NewReading(), 1).Detail, StringComparison.Ordinal);
    }
}
