using System.Text;
using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Core.Model;
using static SmartCity.IoT.Core.Tests.Decoding.DecoderTestKit;

namespace SmartCity.IoT.Core.Tests.Decoding;

public sealed class SenmlPayloadDecoderTests
{
    private const string Topic = "s/hq/gw1";
    private const long Received = 1_763_856_000_000_000_000;

    [Theory]
    [InlineData("""[{"n":"temp","t":-30,"v":21}]""", Received - 30_000_000_000)]
    [InlineData("""[{"n":"temp","t":1763856090,"v":21}]""", Received + 90_000_000_000)]
    [InlineData("""[{"bt":1763856000.5,"n":"temp","t":-0.25,"v":21}]""", Received + 250_000_000)]
    public void Times_below_2_pow_28_are_relative_to_the_receive_time_others_are_unix(string pack, long expected)
    {
        var readings = new ReadingSet(Vocabulary.Count);
        var result = Decoder().Decode(Topic, Encoding.UTF8.GetBytes(pack), readings, Received);
        Assert.True(result.IsSuccess, result.ToString());
        var reading = Enumerable.Range(0, readings.Count).Select(i => readings[i]).Single(r => r.FieldCount > 0);
        Assert.Equal(expected, reading.TimestampNs);
    }

    [Fact]
    public void Booleans_enums_sums_and_escaped_names_are_read_and_unmapped_names_ignored()
    {
        var readings = new ReadingSet(Vocabulary.Count);
        var pack = """[{"n":"occ","vb":true},{"n":"bay","vs":"Reserved"},{"bs":10,"n":"people","s":2},{"n":"t\u0065mp","v":20},{"n":"unknown","v":1}]"""u8;
        var result = Decoder().Decode(Topic, pack, readings, Received);
        Assert.True(result.IsSuccess, result.ToString());
        var r = readings.First;
        Assert.Equal(1, r.GetOrNaN(3));
        Assert.Equal(2, r.GetOrNaN(4));
        Assert.Equal(12, r.GetOrNaN(2));
        Assert.Equal(20, r.GetOrNaN(0));
        Assert.Equal(4, r.FieldCount);
    }

    [Theory]
    [InlineData("""[{"n":"temp","v":"21"}]""", "'v' must be a number")]
    [InlineData("""[{"n":"temp","t":5000000000,"v":21}]""", "outside 2000..2100")]
    [InlineData("""[1]""", "record 0 is not an object")]
    [InlineData("""[{"n":"temp","v":21}""", "invalid JSON")]
    public void Bad_packs_fail_with_the_record_named(string pack, string expected)
    {
        var result = Decoder().Decode(Topic, Encoding.UTF8.GetBytes(pack), new ReadingSet(Vocabulary.Count), Received);
        Assert.False(result.IsSuccess);
        Assert.Contains(expected, result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_twice_at_one_time_is_rejected_not_overwritten()
    {
        var readings = new ReadingSet(Vocabulary.Count);
        var result = Decoder().Decode(Topic, """[{"n":"temp","v":21},{"n":"temp","v":22}]"""u8, readings, Received);
        Assert.Equal(21, readings.First.GetOrNaN(0));
        Assert.Contains("repeats a name at the same time", result.RejectionDetail, StringComparison.Ordinal);
    }

    private static MessageDecoder Decoder()
    {
        var senml = new SenmlPayloadDecoder(
            [
                ("temp", Map("temperature", "record 'temp'")),
                ("occ", Map("occupancy", "record 'occ'")),
                ("bay", Map("bay_state", "record 'bay'")),
                ("people", Map("people_count", "record 'people'")),
            ],
            deviceFromBaseName: true);
        return DecoderTestKit.Decoder("s/{building}/{device}", senml);
    }
}
