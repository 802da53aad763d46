using SmartCity.IoT.Core.Decoding;
using static SmartCity.IoT.Core.Tests.Decoding.DecoderTestKit;

namespace SmartCity.IoT.Core.Tests.Decoding;

public sealed class JsonPayloadDecoderTests
{
    private const string Topic = "site/hq/dev-1/up";
    private const long Received = 1_763_856_000_000_000_000;

    [Fact]
    public void Reads_nested_paths_arrays_quoted_keys_and_skips_the_rest()
    {
        var json = new JsonPayloadDecoder();
        JsonField(json, "temperature", "$.sensors[1].value");
        JsonField(json, "co2", "$.air['co2.ppm']");
        JsonField(json, "humidity", "$.deep.a.b.c");
        var decoder = Decoder("site/{building}/{device}/up", json);
        var reading = NewReading();
        var result = decoder.Decode(Topic, """{"ignored":{"x":[1,2,{"y":3}]},"sensors":[{"value":1},{"value":23.5}],"air":{"co2.ppm":815},"deep":{"a":{"b":{"c":55.5}}}}"""u8, reading, Received);
        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal(23.5, reading.GetOrNaN(0));
        Assert.Equal(815, reading.GetOrNaN(1));
        Assert.Equal(55.5, reading.GetOrNaN(6));
        Assert.Equal(Received, reading.TimestampNs);
    }

    [Fact]
    public void Numbers_decode_to_exactly_the_double_the_general_parser_gives()
    {
        // Short decimals take a fast path (performance); every value must be bit for bit what double.Parse returns.
        var json = new JsonPayloadDecoder();
        JsonField(json, "temperature", "$.v");
        var decoder = Decoder("site/{building}/{device}/up", json);
        var reading = NewReading();
        var random = new Random(4);
        var texts = new List<string> { "0", "-0", "0.0", "-0.000", "1", "100", "0.1", "0.30000000000000004", "124.99999999999999", "99.99999999999999", "-39.999999999999999999", "12345678901234.5", "0.000000000000000000000012", "1e2", "-1.5E-3", "0.00", "7.0000000000000001" };
        for (var i = 0; i < 20_000; i++)
        {
            var whole = random.Next(0, 125).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var fraction = new string(Enumerable.Range(0, random.Next(0, 19)).Select(_ => (char)('0' + random.Next(10))).ToArray());
            texts.Add((random.Next(3) == 0 ? "-" : "") + (random.Next(4) == 0 ? "0" : whole) + (fraction.Length > 0 ? "." + fraction : ""));
        }

        foreach (var text in texts)
        {
            // The mapping's unit conversion (raw * 1 + 0) turns -0 into 0 whichever parser ran.
            var expected = (double.Parse(text, System.Globalization.CultureInfo.InvariantCulture) * 1) + 0;
            var result = decoder.Decode(Topic, System.Text.Encoding.UTF8.GetBytes($$"""{"v":{{text}}}"""), reading, Received);
            if (expected is < -40 or > 125)
            {
                continue;
            }

            Assert.True(result.IsSuccess, $"{text}: {result}");
            var actual = reading.GetOrNaN(0);
            Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual), $"{text}: expected {expected:R}, decoded {actual:R}");
        }
    }

    [Fact]
    public void Wildcard_matches_any_key_and_escaped_names_still_match()
    {
        var json = new JsonPayloadDecoder();
        JsonField(json, "co2", "$.*.CarbonDioxide");
        var decoder = Decoder("tele/{device}/SENSOR", json);
        var reading = NewReading();
        Assert.True(decoder.Decode("tele/t1/SENSOR", """{"Time":"x","SCD41":{"Carbon\u0044ioxide":700}}"""u8, reading, Received).IsSuccess);
        Assert.Equal(700, reading.GetOrNaN(1));
    }

    [Fact]
    public void Converts_units_rounds_and_maps_enums_and_booleans()
    {
        var json = new JsonPayloadDecoder();
        JsonField(json, "temperature", "$.f", factor: 0.5555555555555556, offset: -17.77777777777778, decimals: 2);
        JsonField(json, "ammonia", "$.nh3", factor: 0.001, decimals: 3);
        JsonField(json, "bay_state", "$.state", map: [new ValueMapEntry("9", 3), new ValueMapEntry("busy", 1)]);
        JsonField(json, "occupancy", "$.pir", map: [new ValueMapEntry("trigger", 1), new ValueMapEntry("idle", 0)]);
        JsonField(json, "people_count", "$.n");
        var decoder = Decoder("site/{building}/{device}/up", json);
        var reading = NewReading();
        Assert.True(decoder.Decode(Topic, """{"f":71.6,"nh3":420,"state":9,"pir":"TRIGGER","n":"12"}"""u8, reading, Received).IsSuccess);
        Assert.Equal(22, reading.GetOrNaN(0));
        Assert.Equal(0.42, reading.GetOrNaN(5));
        Assert.Equal(3, reading.GetOrNaN(4));
        Assert.Equal(1, reading.GetOrNaN(3));
        Assert.Equal(12, reading.GetOrNaN(2));
        Assert.True(decoder.Decode(Topic, """{"state":"busy","pir":false}"""u8, reading, Received).IsSuccess);
        Assert.Equal(1, reading.GetOrNaN(4));
        Assert.Equal(0, reading.GetOrNaN(3));
        Assert.True(decoder.Decode(Topic, """{"state":"Reserved"}"""u8, reading, Received).IsSuccess);
        Assert.Equal(2, reading.GetOrNaN(4));
    }

    [Fact]
    public void A_bad_field_is_dropped_with_its_reason_and_the_rest_kept()
    {
        var json = new JsonPayloadDecoder();
        JsonField(json, "temperature", "$.t");
        JsonField(json, "co2", "$.co2");
        JsonField(json, "humidity", "$.rh");
        JsonField(json, "bay_state", "$.bay");
        var decoder = Decoder("site/{building}/{device}/up", json);
        var reading = NewReading();
        var result = decoder.Decode(Topic, """{"t":21.5,"co2":-5,"rh":{"v":1},"bay":"parked"}"""u8, reading, Received);
        Assert.True(result.IsSuccess);
        Assert.Equal(3, result.RejectedFields);
        Assert.Equal(DecodeError.OutOfRange, result.RejectionReason);
        Assert.Contains("co2 ($.co2): -5 ppm is outside the valid range [0, 40000] ppm", result.RejectionDetail, StringComparison.Ordinal);
        Assert.Contains("humidity ($.rh): expected a number, got an object", result.RejectionDetail, StringComparison.Ordinal);
        Assert.Contains("bay_state ($.bay): 'parked' is not one of vacant, occupied, reserved, fault", result.RejectionDetail, StringComparison.Ordinal);
        Assert.Equal(1, reading.FieldCount);
        Assert.Equal("out_of_range", result.ReasonCode);
    }

    [Fact]
    public void Missing_required_field_is_reported_and_nulls_are_absent()
    {
        var json = new JsonPayloadDecoder();
        JsonField(json, "temperature", "$.t");
        JsonField(json, "co2", "$.co2", required: true);
        var decoder = Decoder("site/{building}/{device}/up", json);
        var reading = NewReading();
        var result = decoder.Decode(Topic, """{"t":21.5,"co2":null}"""u8, reading, Received);
        Assert.True(result.IsSuccess);
        Assert.Equal(DecodeError.MissingField, result.RejectionReason);
        Assert.Contains("co2 ($.co2): required but absent", result.RejectionDetail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "the payload is empty")]
    [InlineData("{\"t\":", "invalid JSON")]
    [InlineData("{\"t\":1} {\"t\":2}", "")]
    [InlineData("{'t':1}", "invalid JSON")]
    public void Malformed_json_fails_the_message(string payload, string expected)
    {
        var json = new JsonPayloadDecoder();
        JsonField(json, "temperature", "$.t");
        var result = Decoder("site/{building}/{device}/up", json).Decode(Topic, System.Text.Encoding.UTF8.GetBytes(payload), NewReading(), Received);
        Assert.Equal(DecodeError.MalformedPayload, result.Error);
        Assert.Contains(expected, result.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TimestampFormat.UnixSeconds, "1763884800", 1_763_884_800_000_000_000)]
    [InlineData(TimestampFormat.UnixSeconds, "1680962879.62", 1_680_962_879_620_000_000)]
    [InlineData(TimestampFormat.UnixMilliseconds, "1763884800123", 1_763_884_800_123_000_000)]
    [InlineData(TimestampFormat.UnixMicroseconds, "1763884800123456", 1_763_884_800_123_456_000)]
    [InlineData(TimestampFormat.UnixNanoseconds, "1763884800123456789", 1_763_884_800_123_456_789)]
    [InlineData(TimestampFormat.UnixMilliseconds, "\"1763884800123\"", 1_763_884_800_123_000_000)]
    [InlineData(TimestampFormat.Iso8601, "\"2025-11-23T08:00:00.5Z\"", 1_763_884_800_500_000_000)]
    [InlineData(TimestampFormat.Iso8601, "\"2025-11-23T16:00:00+08:00\"", 1_763_884_800_000_000_000)]
    [InlineData(TimestampFormat.Iso8601, "\"2025-11-23T16:00:00\"", 1_763_884_800_000_000_000)] // +08:00 applied
    public void Reads_timestamps_in_every_format(TimestampFormat format, string value, long expected)
    {
        var json = new JsonPayloadDecoder();
        JsonField(json, "temperature", "$.t");
        json.SetTimestamp(JsonPath.Parse("$.ts"), format, TimeSpan.FromHours(8));
        var reading = NewReading();
        var result = Decoder("site/{building}/{device}/up", json).Decode(Topic, System.Text.Encoding.UTF8.GetBytes($$"""{"t":1,"ts":{{value}}}"""), reading, Received);
        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal(expected, reading.TimestampNs);
    }

    [Theory]
    [InlineData(TimestampFormat.UnixMilliseconds, "1763884800", "is the format right")]
    [InlineData(TimestampFormat.UnixSeconds, "\"noon\"", "is not a number of seconds")]
    [InlineData(TimestampFormat.Iso8601, "\"23/11/2025\"", "is not ISO 8601")]
    [InlineData(TimestampFormat.Iso8601, "1763884800", "expected an ISO 8601 string")]
    public void Bad_timestamps_fail_with_a_hint(TimestampFormat format, string value, string expected)
    {
        var json = new JsonPayloadDecoder();
        JsonField(json, "temperature", "$.t");
        json.SetTimestamp(JsonPath.Parse("$.ts"), format);
        var result = Decoder("site/{building}/{device}/up", json).Decode(Topic, System.Text.Encoding.UTF8.GetBytes($$"""{"t":1,"ts":{{value}}}"""), NewReading(), Received);
        Assert.Equal(DecodeError.BadTimestamp, result.Error);
        Assert.Contains(expected, result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Payload_tags_are_interned_so_repeats_allocate_nothing()
    {
        var json = new JsonPayloadDecoder();
        JsonField(json, "temperature", "$.t");
        var tag = new PayloadTag("dev_eui", "$.ids.dev_eui");
        json.AddTag(JsonPath.Parse("$.ids.dev_eui"), tag);
        var decoder = Decoder("site/{building}/{device}/up", json);
        var reading = NewReading();
        var payload = """{"ids":{"dev_eui":"A840414A81834E9B"},"t":20.5}"""u8.ToArray();
        Assert.True(decoder.Decode(Topic, payload, reading, Received).IsSuccess);
        Assert.True(reading.TryGetTag("dev_eui", out var first));
        Assert.Equal("A840414A81834E9B", first.ToString());
        for (var i = 0; i < 100; i++)
        {
            decoder.Decode(Topic, payload, reading, Received);
        }

        // Steady state: a round of 1,000 allocates nothing. Up to three rounds, because a one-off runtime allocation on
        // this thread (tiered compilation replacing the loop's code) once landed in a single round (840 B in CI);
        // an allocation per decode would show in every round.
        long allocated = -1;
        for (var round = 0; round < 3 && allocated != 0; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 1000; i++)
            {
                decoder.Decode(Topic, payload, reading, Received);
            }

            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Assert.Equal(0, allocated);
        Assert.Equal(1, tag.Values.Count);
    }

    [Fact]
    public void A_hex_frame_inside_a_json_string_decodes_by_its_layout_next_to_json_fields()
    {
        var json = new JsonPayloadDecoder();
        JsonField(json, "humidity", "$.rh");
        json.SetBinary(JsonPath.Parse("$.data"), BinaryEncoding.Hex, new BinaryLayout([
            new BinaryField(Map("co2", "bytes 0..1"), 0, 2, false, true, false, 0, 0, 1, 0),
            new BinaryField(Map("bay_state", "byte 2", map: [new ValueMapEntry("9", 3)]), 2, 1, false, true, false, 0, 0, 1, 0),
        ]));
        var decoder = Decoder("site/{building}/{device}/up", json);
        var reading = NewReading();
        var result = decoder.Decode(Topic, """{"data":"03 2C 09","rh":40}"""u8, reading, Received);
        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal(812, reading.GetOrNaN(1));
        Assert.Equal(3, reading.GetOrNaN(4));
        Assert.Equal(40, reading.GetOrNaN(6));
        var shortFrame = decoder.Decode(Topic, """{"data":"032C"}"""u8, reading, Received);
        Assert.Equal(DecodeError.MalformedPayload, shortFrame.Error);
        Assert.Equal("binary payload has 2 byte(s), the layout needs at least 3 (truncated at byte 2); frame (hex): 03 2c", shortFrame.Detail);
    }

    [Theory]
    [InlineData("sensors[0", "without a closing")]
    [InlineData("$.a..b", "empty name")]
    [InlineData("$.a[x]", "array index")]
    [InlineData("$a", "unexpected 'a'")]
    public void Bad_paths_are_explained(string path, string expected)
    {
        Assert.False(JsonPath.TryParse(path, out _, out var error));
        Assert.Contains(expected.Replace("without a closing", path.StartsWith('$') ? "without a closing" : "must start with '$'", StringComparison.Ordinal), error, StringComparison.Ordinal);
    }
}
