using System.Buffers;
using System.Text;
using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Core.LineProtocol;
using SmartCity.IoT.Core.Model;
using static SmartCity.IoT.Core.Tests.Decoding.DecoderTestKit;

namespace SmartCity.IoT.Core.Tests.Decoding;

/// <summary>A value that rounds to zero from below is stored and written as 0, never as -0.</summary>
public sealed class NegativeZeroTests
{
    [Theory]
    [InlineData(31.995, 0.5555555555555556, -17.77777777777778, 2)] // °F just below freezing: -0.0028 °C rounds to -0.00
    [InlineData(-0.004, 1, 0, 2)]
    [InlineData(0, -0.1, 0, -1)] // a signed raw 0 times a negative scale
    public void Rounding_to_zero_from_below_gives_plus_zero(double raw, double factor, double offset, int decimals)
    {
        var mapping = Map("temperature", "$.t", factor, offset, decimals);
        var reading = NewReading();
        reading.Reset();
        var ctx = default(DecodeContext);
        mapping.ApplyNumber(raw, reading, ref ctx);
        var value = reading.GetOrNaN(mapping.FieldId);
        Assert.Equal(0, value);
        Assert.False(double.IsNegative(value), "stored as -0");

        var buffer = new ArrayBufferWriter<byte>();
        LineProtocolWriter.WriteFieldValue(buffer, mapping.Field, value);
        Assert.Equal("0", Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void An_integer_field_rounding_to_zero_from_below_is_plus_zero()
    {
        var mapping = Map("people_count", "$.n", min: -1);
        var reading = NewReading();
        reading.Reset();
        var ctx = default(DecodeContext);
        mapping.ApplyNumber(-0.3, reading, ref ctx);
        Assert.Equal(FieldType.Integer, mapping.Field.Type);
        Assert.Equal(0, reading.GetOrNaN(mapping.FieldId));
        Assert.False(double.IsNegative(reading.GetOrNaN(mapping.FieldId)), "stored as -0");
    }
}
