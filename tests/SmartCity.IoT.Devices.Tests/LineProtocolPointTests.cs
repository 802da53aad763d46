using SmartCity.IoT.Devices.Samples;

namespace SmartCity.IoT.Devices.Tests;

public sealed class LineProtocolPointTests
{
    [Fact]
    public void Order_of_tags_and_fields_does_not_matter_but_values_do()
    {
        var a = LineProtocolPoint.Parse("environment,floor=3,building=hq co2=812,temperature=23.40 1763856000000000000");
        var b = LineProtocolPoint.Parse("environment,building=hq,floor=3 temperature=23.4,co2=812 1763856000000000000\n");
        Assert.Empty(a.DiffersFrom(b));

        var c = LineProtocolPoint.Parse("environment,building=annex,floor=3 temperature=23.5,co2=812i 1763856000000000001");
        Assert.Equal(
            ["tag building: expected hq, got annex", "field co2: expected 812, got 812i", "field temperature: expected 23.4, got 23.5", "timestamp: expected 1763856000000000000, got 1763856000000000001"],
            a.DiffersFrom(c));
    }

    [Fact]
    public void Reads_escapes_strings_booleans_and_missing_timestamps()
    {
        var p = LineProtocolPoint.Parse(@"water\ quality,zone=main\ hall\,east bay_state=""say \""hi\"""",ok=t,n=-3i");
        Assert.Equal("water quality", p.Measurement);
        Assert.Equal("main hall,east", p.Tags["zone"]);
        Assert.Equal("\"say \"hi\"\"", p.Fields["bay_state"]);
        Assert.Equal("true", p.Fields["ok"]);
        Assert.Equal("-3i", p.Fields["n"]);
        Assert.Null(p.Timestamp);
    }

    [Theory]
    [InlineData("environment")]
    [InlineData("environment,building=hq")]
    [InlineData("environment co2=abc 1")]
    [InlineData("environment co2=1 soon")]
    public void Bad_expectations_are_reported(string line) =>
        Assert.Throws<FormatException>(() => LineProtocolPoint.Parse(line));
}
