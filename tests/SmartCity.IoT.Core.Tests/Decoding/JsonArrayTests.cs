using System.Text;
using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Core.Model;
using static SmartCity.IoT.Core.Tests.Decoding.DecoderTestKit;

namespace SmartCity.IoT.Core.Tests.Decoding;

/// <summary>JSON arrays: <c>[*]</c> over elements, filters, one reading per element, units and tags from the payload.</summary>
public sealed class JsonArrayTests
{
    private const string Topic = "site/hq/d1/up";
    private const long Received = 1_763_856_000_000_000_000;

    [Fact]
    public void A_wildcard_iterates_array_elements_not_only_object_keys()
    {
        var json = new JsonPayloadDecoder();
        JsonField(json, "co2", "$.sensors[*].co2");
        JsonField(json, "humidity", "$.*.rh");
        var reading = NewReading();
        var result = Decoder("site/{building}/{device}/up", json).Decode(Topic, """{"sensors":[{"x":1},{"co2":812}],"air":{"rh":41}}"""u8, reading, Received);
        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal(812, reading.GetOrNaN(1));
        Assert.Equal(41, reading.GetOrNaN(6));
    }

    [Theory]
    [InlineData("$.r[?(@.n=='co2')].v", 812)]
    [InlineData("$.r[?(@.n==\"co2\")].v", 812)]
    [InlineData("$.r[?(@['n'] == 'co2')].v", 812)]
    [InlineData("$.r[?(@.id==7)].v", 21.5)]
    [InlineData("$.r[?(@.meta.kind=='t')].v", 21.5)]
    [InlineData("$.r[?(@.ok==true)].v", 812)]
    public void Filters_pick_array_elements_by_a_property_whatever_its_position(string path, double expected)
    {
        var json = new JsonPayloadDecoder();
        JsonField(json, "co2", path); // co2's range holds both values: the test is about which element is picked
        var reading = NewReading();
        var payload = """{"r":[{"v":21.5,"n":"temp","id":7,"meta":{"kind":"t"}},{"v":812,"n":"co2","ok":true}]}"""u8;
        var result = Decoder("site/{building}/{device}/up", json).Decode(Topic, payload, reading, Received);
        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal(expected, reading.GetOrNaN(1));
    }

    [Fact]
    public void Several_filters_on_one_array_fill_one_reading()
    {
        var json = new JsonPayloadDecoder();
        JsonField(json, "co2", "$[?(@.n=='co2')].v");
        JsonField(json, "temperature", "$[?(@.n=='temp')].v");
        var readings = new ReadingSet(Vocabulary.Count);
        var result = Decoder("site/{building}/{device}/up", json).Decode(Topic, """[{"n":"temp","v":21.5},{"n":"co2","v":812}]"""u8, readings, Received);
        Assert.Equal(1, result.Readings);
        Assert.Equal(21.5, readings.First.GetOrNaN(0));
        Assert.Equal(812, readings.First.GetOrNaN(1));
    }

    [Theory]
    [InlineData("[?(@.n='co2')]", "must look like")]
    [InlineData("[?(@.n=='co2')", "without a closing ')]'")]
    [InlineData("[?(@.n==co2)]", "must be a quoted string")]
    [InlineData("[?(n=='co2')]", "must look like")]
    public void Bad_filters_are_explained(string filter, string expected)
    {
        Assert.False(JsonPath.TryParse("$.r" + filter + ".v", out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_probe_of_an_array_is_a_reading_told_apart_by_its_instance_tag()
    {
        var json = new JsonPayloadDecoder();
        JsonField(json, "temperature", "$.probes[*].t");
        JsonField(json, "humidity", "$.rh");
        json.AddTag(JsonPath.Parse("$.probes[*].id"), new PayloadTag("probe", "$.probes[*].id", isInstance: true));
        var readings = new ReadingSet(Vocabulary.Count);
        var result = Decoder("site/{building}/{device}/up", json).Decode(Topic, """{"probes":[{"t":21.5,"id":"1"},{"id":2,"t":22.25}],"rh":40}"""u8, readings, Received);

        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal(3, result.Readings);
        Assert.Equal(40, readings[0].GetOrNaN(6));
        Assert.Equal(["d1/probe=1", "d1/probe=2"], new[] { readings[1].DeviceId.ToString(), readings[2].DeviceId.ToString() });
        Assert.Equal([21.5, 22.25], new[] { readings[1].GetOrNaN(0), readings[2].GetOrNaN(0) });
        Assert.True(readings[2].TryGetTag("device", out var device) && device.Span.SequenceEqual("d1"));
        Assert.True(readings[2].TryGetTag("building", out var building) && building.Span.SequenceEqual("hq"));
        Assert.False(readings[1].Has(6));
    }

    [Fact]
    public void Array_elements_with_their_own_time_or_device_are_readings_of_their_own()
    {
        var json = new JsonPayloadDecoder();
        JsonField(json, "temperature", "$.devices[*].samples[*].t");
        json.SetTimestamp(JsonPath.Parse("$.devices[*].samples[*].ts"), TimestampFormat.UnixSeconds);
        json.AddTag(JsonPath.Parse("$.devices[*].id"), new PayloadTag("device", "$.devices[*].id"));
        var readings = new ReadingSet(Vocabulary.Count);
        var payload = """{"devices":[{"samples":[{"t":20,"ts":1763856060},{"t":21,"ts":1763856000}],"id":"a"},{"id":"b","samples":[{"ts":1763856000,"t":30}]}]}"""u8;
        var result = Decoder("site/{building}/{device}/up", json).Decode(Topic, payload, readings, Received);

        Assert.True(result.IsSuccess, result.ToString());
        var got = Enumerable.Range(0, readings.Count).Select(i => readings[i]).Where(r => r.FieldCount > 0)
            .Select(r => $"{r.DeviceId}@{r.TimestampNs / 1_000_000_000}={r.GetOrNaN(0)}").ToArray();
        Assert.Equal(["a@1763856000=21", "b@1763856000=30", "a@1763856060=20"], got);
    }

    [Fact]
    public void Two_values_for_one_field_without_anything_telling_them_apart_are_rejected_not_overwritten()
    {
        var json = new JsonPayloadDecoder();
        JsonField(json, "temperature", "$.temps[*]");
        JsonField(json, "humidity", "$.rh");
        var readings = new ReadingSet(Vocabulary.Count);
        var result = Decoder("site/{building}/{device}/up", json).Decode(Topic, """{"temps":[21.5,22],"rh":40}"""u8, readings, Received);
        Assert.True(result.IsSuccess);
        Assert.Equal(1, result.Readings);
        Assert.Equal(21.5, readings.First.GetOrNaN(0));
        Assert.Equal(1, result.RejectedFields);
        Assert.Contains("temperature ($.temps[*]): the payload has more than one value for it", result.RejectionDetail, StringComparison.Ordinal);
    }

    [Fact]
    public void Fixed_paths_can_be_instances_of_one_field()
    {
        var json = new JsonPayloadDecoder();
        json.AddField(JsonPath.Parse("$.t1"), Map("temperature", "$.t1"), new FieldInstance("probe", "1", 0), null);
        json.AddField(JsonPath.Parse("$.t2"), Map("temperature", "$.t2"), new FieldInstance("probe", "2", 1), null);
        var readings = new ReadingSet(Vocabulary.Count);
        var result = Decoder("site/{building}/{device}/up", json).Decode(Topic, """{"t2":22,"t1":21}"""u8, readings, Received);
        Assert.Equal(2, result.Readings);
        var byId = Enumerable.Range(0, readings.Count).Select(i => readings[i]).Where(r => r.FieldCount > 0).ToDictionary(r => r.DeviceId.ToString(), r => r.GetOrNaN(0));
        Assert.Equal(21, byId["d1/probe=1"]);
        Assert.Equal(22, byId["d1/probe=2"]);
    }

    [Theory]
    [InlineData("""{"pm":{"value":9.3,"unit":"µg/m³"}}""", 9.3)]
    [InlineData("""{"pm":{"unit":"mg/m3","value":0.0093}}""", 9.3)]
    [InlineData("""{"pm":{"unit":"\u00b5g/m\u00b3","value":9.3}}""", 9.3)]
    [InlineData("""{"pm":{"value":12}}""", 12)] // no unit in the payload: the profile's
    public void A_unit_next_to_the_value_is_converted_through_the_vocabulary(string payload, double expected)
    {
        var reading = NewReading();
        var result = PmDecoder().Decode(Topic, Encoding.UTF8.GetBytes(payload), reading, Received);
        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal(0, result.RejectedFields);
        Assert.Equal(expected, reading.GetOrNaN(7), 9);
    }

    [Fact]
    public void An_unknown_unit_rejects_the_field_by_name()
    {
        var result = PmDecoder().Decode(Topic, """{"pm":{"value":9.3,"unit":"grains/ft3"},"t":20}"""u8, NewReading(), Received);
        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal(1, result.RejectedFields);
        Assert.Equal(DecodeError.UnknownUnit, result.RejectionReason);
        Assert.Contains("pm2_5 ($.pm.value): unit 'grains/ft3' has no conversion to ug/m3 in devices/vocabulary.yaml (known: ug/m3, µg/m³, mg/m3)", result.RejectionDetail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_unit_path_must_be_next_to_its_value()
    {
        Assert.NotNull(JsonPayloadDecoder.UnitSiblingError(JsonPath.Parse("$.pm.value"), JsonPath.Parse("$.unit")));
        Assert.Null(JsonPayloadDecoder.UnitSiblingError(JsonPath.Parse("$.r[*].v"), JsonPath.Parse("$.r[*].u")));
    }

    [Fact]
    public void A_long_escaped_tag_is_unescaped_and_cut_on_a_character_boundary_and_says_so()
    {
        var json = new JsonPayloadDecoder();
        JsonField(json, "temperature", "$.t");
        json.AddTag(JsonPath.Parse("$.label"), new PayloadTag("label", "$.label"));
        // 4 + 249 + 1 + 2 characters fill the 256 exactly; the old cut at 256 bytes fell inside the '€' and kept the escapes.
        var label = "\\\"q\\\" " + new string('x', 249) + "€😀tail";
        var reading = NewReading();
        var result = Decoder("site/{building}/{device}/up", json).Decode(Topic, Encoding.UTF8.GetBytes($$"""{"t":1,"label":"{{label}}"}"""), reading, Received);

        Assert.True(reading.TryGetTag("label", out var value));
        var text = value.ToString();
        Assert.StartsWith("\"q\" xxx", text, StringComparison.Ordinal);
        Assert.Equal(256, text.Length);
        Assert.EndsWith("x€😀", text, StringComparison.Ordinal);
        Assert.DoesNotContain('\uFFFD', text);
        Assert.Equal(DecodeError.TagTruncated, result.RejectionReason);
        Assert.Contains("tag 'label' ($.label): the value is longer than 256 characters and was cut", result.RejectionDetail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_short_escaped_tag_is_unescaped_and_not_reported()
    {
        var json = new JsonPayloadDecoder();
        JsonField(json, "temperature", "$.t");
        json.AddTag(JsonPath.Parse("$.label"), new PayloadTag("label", "$.label"));
        var reading = NewReading();
        var result = Decoder("site/{building}/{device}/up", json).Decode(Topic, """{"t":1,"label":"bay \"7\""}"""u8, reading, Received);
        Assert.Equal(0, result.RejectedFields);
        Assert.True(reading.TryGetTag("label", out var value) && value.Span.SequenceEqual("bay \"7\""));
    }

    [Theory]
    [InlineData("\"2025-11-23 08:00:00Z\"", 1_763_884_800_000_000_000)]
    [InlineData("\"2025-11-23 16:00:00+08:00\"", 1_763_884_800_000_000_000)]
    [InlineData("\"2025-11-23 08:00:00.250\"", 1_763_884_800_250_000_000)]
    public void Iso_8601_with_a_space_instead_of_T_is_read(string value, long expected)
    {
        var json = new JsonPayloadDecoder();
        JsonField(json, "temperature", "$.t");
        json.SetTimestamp(JsonPath.Parse("$.ts"), TimestampFormat.Iso8601);
        var reading = NewReading();
        var result = Decoder("site/{building}/{device}/up", json).Decode(Topic, Encoding.UTF8.GetBytes($$"""{"t":1,"ts":{{value}}}"""), reading, Received);
        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal(expected, reading.TimestampNs);
    }

    [Fact]
    public void Multi_reading_arrays_and_filters_allocate_nothing_once_warm()
    {
        var json = new JsonPayloadDecoder();
        JsonField(json, "temperature", "$.probes[*].t");
        JsonField(json, "co2", "$.r[?(@.n=='co2')].v");
        json.AddTag(JsonPath.Parse("$.probes[*].id"), new PayloadTag("probe", "$.probes[*].id", isInstance: true));
        var decoder = Decoder("site/{building}/{device}/up", json);
        var readings = new ReadingSet(Vocabulary.Count);
        var payload = """{"r":[{"n":"x","v":1},{"n":"co2","v":812}],"probes":[{"id":"1","t":21.5},{"id":"2","t":22}]}"""u8.ToArray();
        for (var i = 0; i < 100; i++)
        {
            Assert.True(decoder.Decode(Topic, payload, readings, Received).IsSuccess);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 2000; i++)
        {
            decoder.Decode(Topic, payload, readings, Received);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(3, decoder.Decode(Topic, payload, readings, Received).Readings);
    }

    private static MessageDecoder PmDecoder()
    {
        Vocabulary.TryGet("pm2_5", out var f);
        var units = new[] { new PayloadUnit("ug/m3", 1, 0), new PayloadUnit("µg/m³", 1, 0), new PayloadUnit("mg/m3", 1000, 0) };
        var json = new JsonPayloadDecoder();
        json.AddField(JsonPath.Parse("$.pm.value"), new FieldMapping(f, "$.pm.value", "ug/m3", 1, 0, f.Min, f.Max, 1, null, false, units: units), null, JsonPath.Parse("$.pm.unit"));
        JsonField(json, "temperature", "$.t");
        return Decoder("site/{building}/{device}/up", json);
    }
}
