using SmartCity.IoT.Core.Resilience;

namespace SmartCity.IoT.Core.Tests.Resilience;

public sealed class BackoffTests
{
    [Fact]
    public void Without_jitter_each_wait_doubles_up_to_the_cap()
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(10));

        var waits = Enumerable.Range(1, 8).Select(n => backoff.Delay(n).TotalMilliseconds).ToArray();

        Assert.Equal([500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000], waits);
        Assert.Equal(6, backoff.AttemptAtMax);
    }

    [Fact]
    public void Jitter_takes_off_at_most_its_share_and_never_exceeds_the_cap()
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5), jitter: 0.2, new Random(7));

        for (var attempt = 1; attempt < 40; attempt++)
        {
            var nominal = backoff.Nominal(attempt);
            var wait = backoff.Delay(attempt);
            Assert.InRange(wait, nominal * 0.8, nominal);
            Assert.True(wait <= TimeSpan.FromSeconds(5));
        }
    }

    [Fact]
    public void The_same_seed_gives_the_same_waits_and_different_seeds_spread_them()
    {
        static TimeSpan[] Run(int seed)
        {
            var backoff = new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), jitter: 0.5, new Random(seed));
            return [.. Enumerable.Range(1, 10).Select(backoff.Delay)];
        }

        Assert.Equal(Run(42), Run(42));
        Assert.NotEqual(Run(42), Run(43));
    }

    [Fact]
    public void Huge_attempt_numbers_and_caps_do_not_overflow()
    {
        var backoff = new Backoff(TimeSpan.FromTicks(1), TimeSpan.MaxValue);

        Assert.Equal(TimeSpan.FromTicks(1L << 62), backoff.Delay(int.MaxValue));
        Assert.Equal(TimeSpan.FromSeconds(30), new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30)).Delay(int.MaxValue));
    }

    [Fact]
    public void Bad_settings_are_refused_by_name()
    {
        Assert.Throws<ArgumentOutOfRangeException>("initial", () => new Backoff(TimeSpan.Zero, TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>("max", () => new Backoff(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>("jitter", () => new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), jitter: 1.5));
        Assert.Throws<ArgumentOutOfRangeException>("attempt", () => new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)).Delay(0));
    }
}
