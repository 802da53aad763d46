using Microsoft.Extensions.Time.Testing;
using SmartCity.IoT.Gateway.HttpIngest;

namespace SmartCity.IoT.Gateway.Tests.HttpIngest;

public sealed class UplinkDedupeTests
{
    [Fact]
    public void An_id_is_remembered_for_the_window_then_forgotten()
    {
        var time = new FakeTimeProvider();
        var dedupe = new UplinkDedupe(TimeSpan.FromMinutes(10), 100, time);
        var first = Uplink("k1");
        dedupe.Add("k1", first);

        time.Advance(TimeSpan.FromMinutes(9));
        Assert.True(dedupe.TryGet("k1", out var found));
        Assert.Same(first, found);

        time.Advance(TimeSpan.FromMinutes(2));
        Assert.False(dedupe.TryGet("k1", out _));
        Assert.Equal(0, dedupe.Count);
    }

    [Fact]
    public void The_capacity_bounds_the_ids_oldest_first()
    {
        var dedupe = new UplinkDedupe(TimeSpan.FromMinutes(10), 3, new FakeTimeProvider());
        for (var i = 0; i < 5; i++)
        {
            dedupe.Add($"k{i}", Uplink($"k{i}"));
        }

        Assert.Equal(3, dedupe.Count);
        Assert.False(dedupe.TryGet("k1", out _));
        Assert.True(dedupe.TryGet("k4", out _));
    }

    [Fact]
    public void A_forgotten_uplink_is_taken_anew_and_a_later_one_with_its_id_stays()
    {
        var dedupe = new UplinkDedupe(TimeSpan.FromMinutes(10), 100, new FakeTimeProvider());
        var first = Uplink("k");
        dedupe.Add("k", first);
        dedupe.Forget("k", first);
        Assert.False(dedupe.TryGet("k", out _));

        var second = Uplink("k");
        dedupe.Add("k", second);
        dedupe.Forget("k", first); // the first's late failure must not drop the second
        Assert.True(dedupe.TryGet("k", out var found));
        Assert.Same(second, found);
    }

    private static PendingUplink Uplink(string key) => new("t", new byte[1], 1, 0, key);
}
