using System.Buffers;
using System.Text;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Core.LineProtocol;
using SmartCity.IoT.Core.Model;

namespace SmartCity.IoT.Core.Tests.LineProtocol;

public sealed class LineProtocolWriterTests
{
    private static readonly FieldVocabulary Vocabulary = new([
        new FieldDefinition(0, "temperature", "degC", FieldType.Float, -40, 125),
        new FieldDefinition(1, "people_count", "1", FieldType.Integer, 0, 10000),
        new FieldDefinition(2, "occupancy", "", FieldType.Boolean, 0, 1),
        new FieldDefinition(3, "bay_state", "", FieldType.Enum, 0, 3, ["vacant", "occupied", "say \"hi\"", @"back\slash"]),
        new FieldDefinition(4, "odd key,=x", "", FieldType.Float, 0, 1),
    ]);

    [Fact]
    public void Writes_measurement_sorted_tags_fields_and_timestamp()
    {
        var reading = Reading("environment");
        reading.AddTag("floor", "3".AsMemory());
        reading.AddTag("building", "hq".AsMemory());
        reading.Set(0, 23.4);
        reading.TimestampNs = 1_763_856_000_000_000_000;
        Assert.Equal("environment,building=hq,floor=3 temperature=23.4 1763856000000000000\n", Write(reading));
    }

    [Theory]
    [InlineData("main hall", @"main\ hall")]
    [InlineData("a,b", @"a\,b")]
    [InlineData("k=v", @"k\=v")]
    [InlineData("say \"hi\"", "say\\ \"hi\"")]       // quotes need no escaping in tag values
    [InlineData(@"c:\temp\x", @"c:\temp\x")]           // nor do inner backslashes
    [InlineData("香港 會展", @"香港\ 會展")]               // Chinese text stays UTF-8; the space is escaped
    [InlineData("line1\nline2", @"line1\ line2")]      // control characters become (escaped) spaces
    public void Escapes_tag_values(string value, string expected)
    {
        var reading = Reading("environment");
        reading.AddTag("zone", value.AsMemory());
        reading.Set(0, 1);
        reading.TimestampNs = 5;
        Assert.Equal($"environment,zone={expected} temperature=1 5\n", Write(reading));
    }

    // A tag value ending in a backslash (an MQTT topic level may be "hq\") must not escape the separator after it:
    // InfluxDB 1.6.7 answers 400 "invalid tag format" for "m,zone=C:\ temperature=1 5" (and for the doubled "C:\\" too).
    [Fact]
    public void A_trailing_backslash_in_a_tag_value_does_not_escape_the_separator()
    {
        var reading = Reading("environment");
        reading.AddTag("zone", @"C:\".AsMemory());
        reading.Set(0, 1);
        reading.TimestampNs = 5;
        var line = Write(reading);
        Assert.DoesNotContain(@"\ temperature", line, StringComparison.Ordinal);
        Assert.DoesNotContain(@"\ ", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Escapes_tag_keys_measurement_and_field_keys()
    {
        var reading = Reading("water quality,x=1");
        reading.AddTag("my tag,key=", "v".AsMemory());
        reading.Set(4, 0.5);
        reading.TimestampNs = 1;
        // Measurement escapes comma and space (not '='); keys escape comma, '=' and space.
        Assert.Equal(@"water\ quality\,x=1,my\ tag\,key\==v odd\ key\,\=x=0.5 1" + "\n", Write(reading));
    }

    [Fact]
    public void Formats_integer_boolean_and_enum_fields()
    {
        var reading = Reading("parking");
        reading.Set(1, 12);
        reading.Set(2, 1);
        reading.Set(3, 1);
        reading.TimestampNs = 7;
        Assert.Equal("parking people_count=12i,occupancy=true,bay_state=\"occupied\" 7\n", Write(reading));
        reading.Set(2, 0);
        reading.Set(1, -3);
        Assert.Equal("parking people_count=-3i,occupancy=false,bay_state=\"occupied\" 7\n", Write(reading));
    }

    [Fact]
    public void Escapes_quotes_and_backslashes_inside_string_fields()
    {
        var reading = Reading("parking");
        reading.Set(3, 2);
        reading.TimestampNs = 1;
        Assert.Equal("parking bay_state=\"say \\\"hi\\\"\" 1\n", Write(reading));
        reading.Set(3, 3);
        Assert.Equal("parking bay_state=\"back\\\\slash\" 1\n", Write(reading));
    }

    [Fact]
    public void Skips_NaN_and_infinite_values_and_writes_nothing_when_none_remain()
    {
        var reading = Reading("environment");
        reading.Set(0, double.NaN);
        reading.Set(1, 4);
        reading.Set(4, double.PositiveInfinity);
        reading.TimestampNs = 9;
        Assert.Equal("environment people_count=4i 9\n", Write(reading));

        var empty = Reading("environment");
        empty.Set(0, double.NaN);
        var buffer = new ArrayBufferWriter<byte>();
        Assert.False(LineProtocolWriter.WriteReading(buffer, empty, Vocabulary));
        Assert.Equal(0, buffer.WrittenCount);
    }

    [Fact]
    public void Empty_tag_values_are_left_out()
    {
        var reading = Reading("environment");
        reading.AddTag("floor", ReadOnlyMemory<char>.Empty);
        reading.AddTag("building", "hq".AsMemory());
        reading.Set(0, -0.5);
        reading.TimestampNs = 1;
        Assert.Equal("environment,building=hq temperature=-0.5 1\n", Write(reading));
    }

    [Theory]
    [InlineData(23.4, "23.4")]
    [InlineData(0.1 + 0.2, "0.30000000000000004")]
    [InlineData(-17.5, "-17.5")]
    [InlineData(1e21, "1E+21")]
    public void Doubles_round_trip(double value, string expected)
    {
        var reading = Reading("m");
        reading.Set(0, value);
        reading.TimestampNs = 1;
        Assert.Equal($"m temperature={expected} 1\n", Write(reading));
    }

    [Fact]
    public void Doubles_are_written_byte_for_byte_as_the_round_trip_format()
    {
        // The writer formats whole numbers and short decimals itself (performance); it must match "R" exactly.
        var random = new Random(20261123);
        var values = new List<double> { 0.1, 0.2, 0.3, 0.07, 1e-4, 0.00012, 9.999999, 123456.789, 1e9 - 0.5, 0.1 + 0.2, 1e-5, 5e-324, double.MaxValue, -0.0, 0.0, 1e15 - 0.5 };
        for (var i = 0; i < 400_000; i++)
        {
            var decimals = random.Next(0, 9);
            var scale = Math.Pow(10, random.Next(-3, 10));
            var sign = random.Next(2) == 0 ? -1 : 1;
            values.Add(sign * Math.Round(random.NextDouble() * scale, decimals)); // sensor-like: a few decimals
            values.Add(sign * (random.Next(0, 100_000) / Math.Pow(10, random.Next(1, 8)))); // parsed-like: m / 10^k
            values.Add(BitConverter.Int64BitsToDouble(random.NextInt64() & long.MaxValue) * sign); // any double
            values.Add(sign * random.NextDouble() * scale);
        }

        var output = new ArrayBufferWriter<byte>(64);
        foreach (var v in values)
        {
            if (!double.IsFinite(v))
            {
                continue;
            }

            output.ResetWrittenCount();
            LineProtocolWriter.WriteDouble(output, v);
            var actual = Encoding.ASCII.GetString(output.WrittenSpan);
            var expected = v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
            if (actual != expected)
            {
                Assert.Fail($"{expected} was written as {actual}");
            }
        }
    }

    [Fact]
    public void Writing_a_reading_allocates_nothing()
    {
        var reading = Reading("environment");
        reading.AddTag("building", "hq".AsMemory());
        reading.AddTag("device", "ies-0042".AsMemory());
        reading.Set(0, 23.4);
        reading.Set(1, 12);
        reading.Set(2, 1);
        reading.Set(3, 1);
        reading.TimestampNs = 1_763_856_000_000_000_000;
        var buffer = new ArrayBufferWriter<byte>(1 << 20);
        for (var i = 0; i < 100; i++)
        {
            LineProtocolWriter.WriteReading(buffer, reading, Vocabulary);
        }

        buffer.ResetWrittenCount();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 2000; i++)
        {
            LineProtocolWriter.WriteReading(buffer, reading, Vocabulary);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static Reading Reading(string family)
    {
        var reading = new Reading(Vocabulary.Count);
        reading.Profile = new DeviceProfile("acme/x", "Acme", "X", family);
        return reading;
    }

    private static string Write(Reading reading)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Assert.True(LineProtocolWriter.WriteReading(buffer, reading, Vocabulary));
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
