using Microsoft.Extensions.Time.Testing;

namespace SmartCity.IoT.Nats.Tests;

public sealed class PartitionRunTests
{
    [Fact]
    public void A_renewal_before_the_deadline_keeps_the_run_going()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var run = new PartitionRun(3, 1, now + 4000, time);
        run.ValidUntil(now + 4000, now);

        time.Advance(TimeSpan.FromSeconds(3));
        run.ValidUntil(now + 9000, now + 3000);
        time.Advance(TimeSpan.FromSeconds(3));

        Assert.False(run.Stop.IsCancellationRequested);
        Assert.True(run.IsValid(time.GetUtcNow().ToUnixTimeMilliseconds()));
    }

    [Fact]
    public void A_renewal_that_lands_after_the_deadline_does_not_revive_the_stopped_run()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var run = new PartitionRun(3, 1, now + 4000, time);
        run.ValidUntil(now + 4000, now);

        // The renewal was slow: the deadline passed and the consumer stopped before its answer came.
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.True(run.Stop.IsCancellationRequested);
        run.ValidUntil(now + 11_000, now + 5000);

        Assert.False(run.IsValid(time.GetUtcNow().ToUnixTimeMilliseconds()));
    }
}
