using SmartCity.IoT.Core.Decoding;

namespace SmartCity.IoT.Core.Tests.Decoding;

public sealed class TopicTemplateTests
{
    [Fact]
    public void Matches_and_captures_named_levels()
    {
        var t = TopicTemplate.Parse("buildings/{building}/floors/{floor}/env/{device}/telemetry");
        const string topic = "buildings/hq/floors/3/env/ies-0042/telemetry";
        Span<Range> levels = stackalloc Range[16];
        Assert.True(t.TryMatch(topic, levels));
        Assert.Equal("hq", topic[levels[1]]);
        Assert.Equal("3", topic[levels[3]]);
        Assert.Equal("ies-0042", topic[levels[t.DeviceIdIndex]]);
        Assert.Equal("buildings/+/floors/+/env/+/telemetry", t.Filter);
    }

    [Theory]
    [InlineData("buildings/hq/floors/3/env/ies-0042")]
    [InlineData("buildings/hq/floors/3/env/ies-0042/telemetry/extra")]
    [InlineData("buildings/hq/floors/3/air/ies-0042/telemetry")]
    [InlineData("buildings/hq/floors//env/ies-0042/telemetry")]
    [InlineData("")]
    public void Rejects_topics_that_do_not_fit(string topic)
    {
        var t = TopicTemplate.Parse("buildings/{building}/floors/{floor}/env/{device}/telemetry");
        Assert.False(t.TryMatch(topic, stackalloc Range[16]));
    }

    [Theory]
    [InlineData("a/{device}/b", "a/{device}/{kind}", true)]
    [InlineData("a/{x}/{device}", "a/c/{device}", true)]
    [InlineData("a/{device}/b", "a/{device}/c", false)]
    [InlineData("{device}/events/rpc", "tele/{device}/SENSOR", false)]
    [InlineData("a/{device}/b", "a/{device}/b/c", false)]
    public void Detects_overlaps(string a, string b, bool overlap)
    {
        Assert.Equal(overlap, TopicTemplate.Parse(a).Overlaps(TopicTemplate.Parse(b)));
        Assert.Equal(overlap, TopicTemplate.Parse(b).Overlaps(TopicTemplate.Parse(a)));
    }

    [Theory]
    [InlineData("a/+/b", "MQTT wildcard")]
    [InlineData("a/#", "MQTT wildcard")]
    [InlineData("a/{x}y/{device}", "one whole named segment")]
    [InlineData("a//{device}", "empty level")]
    [InlineData("a/{device}/{device}", "twice")]
    [InlineData("a/{building}", "no device id segment")]
    public void Explains_bad_templates(string template, string expected)
    {
        Assert.False(TopicTemplate.TryParse(template, null, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Device_id_segment_can_be_named()
    {
        var t = TopicTemplate.Parse("v3/{application}/devices/{dev_id}/up", "dev_id");
        Assert.Equal(3, t.DeviceIdIndex);
        Assert.False(TopicTemplate.TryParse("v3/{application}/devices/{dev_id}/up", "device", out _, out var error));
        Assert.Contains("does not have", error, StringComparison.Ordinal);
    }
}
