using Microsoft.Extensions.Time.Testing;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.KeyValueStore;

namespace SmartCity.IoT.Nats.Tests;

/// <summary>Leases in a real nats-server's key-value bucket; the instances' clock is a fake one, moved by the test.</summary>
public sealed class PartitionLeasesTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_lone_instance_takes_every_partition_and_a_newcomer_gets_its_share_from_the_surplus()
    {
        await using var two = await TwoInstances.StartAsync();
        var (time, a, b) = (two.Time, two.A, two.B);

        var first = await a.RefreshAsync(CancellationToken.None);
        Assert.Equal([0, 1, 2, 3], first.Gained.Order());
        Assert.Equal(1, first.LiveInstances);

        // B sees two live instances but every lease is held and current: it waits for A to give up its surplus.
        var early = await b.RefreshAsync(CancellationToken.None);
        Assert.Empty(early.Gained);
        Assert.Equal(2, early.LiveInstances);

        time.Advance(Ttl / 3);
        var release = await a.RefreshAsync(CancellationToken.None);
        Assert.Equal(2, release.Surplus.Count);
        Assert.Empty(release.Lost);

        // Named surplus is still held (and renewed) until its holder has stopped consuming it and gives it back.
        var waiting = await b.RefreshAsync(CancellationToken.None);
        Assert.Empty(waiting.Gained);
        Assert.All(release.Surplus, p => Assert.True(a.StillValid(p)));
        foreach (var p in release.Surplus)
        {
            await a.ReleaseAsync(p, CancellationToken.None);
        }

        var join = await b.RefreshAsync(CancellationToken.None);
        Assert.Equal(release.Surplus.Order(), join.Gained.Order());
        Assert.Empty(a.Held.Intersect(b.Held));
        Assert.Equal([0, 1, 2, 3], a.Held.Concat(b.Held).Order());
    }

    [Fact]
    public async Task The_partitions_of_an_instance_that_stops_renewing_are_taken_over_after_their_lease_and_never_while_it_may_still_read()
    {
        await using var two = await TwoInstances.StartAsync();
        var (time, a, b) = (two.Time, two.A, two.B);
        await a.RefreshAsync(CancellationToken.None);
        await b.RefreshAsync(CancellationToken.None);
        time.Advance(Ttl / 3);
        foreach (var p in (await a.RefreshAsync(CancellationToken.None)).Surplus)
        {
            await a.ReleaseAsync(p, CancellationToken.None);
        }

        await b.RefreshAsync(CancellationToken.None);
        var aHeld = a.Held.ToArray();
        Assert.Equal(2, aHeld.Length);
        Assert.All(aHeld, p => Assert.True(a.StillValid(p)));

        // A is killed: it renews no more. B keeps refreshing every TTL / 3 and takes A's partitions once they lapse.
        var takenAt = new Dictionary<int, TimeSpan>();
        var elapsed = TimeSpan.Zero;
        while (takenAt.Count < aHeld.Length && elapsed < Ttl * 3)
        {
            time.Advance(Ttl / 3);
            elapsed += Ttl / 3;
            var changes = await b.RefreshAsync(CancellationToken.None);
            foreach (var p in changes.Gained)
            {
                // The old owner had already stopped reading it: its own view said the lease was no longer valid.
                Assert.False(a.StillValid(p), $"partition {p} was taken while its old owner could still consume it");
                takenAt[p] = elapsed;
            }
        }

        Assert.Equal(aHeld.Order(), takenAt.Keys.Order());
        Assert.All(takenAt.Values, t => Assert.InRange(t, Ttl - (Ttl / 3), Ttl + (Ttl / 3)));
        Assert.Equal([0, 1, 2, 3], b.Held.Order());

        // A comes back with its old revisions: its renewals fail, and it learns it lost them.
        var back = await a.RefreshAsync(CancellationToken.None);
        Assert.Equal(aHeld.Order(), back.Lost.Order());
        Assert.Empty(a.Held.Intersect(b.Held));
    }

    [Fact]
    public async Task A_clean_stop_gives_the_leases_back_at_once()
    {
        await using var two = await TwoInstances.StartAsync();
        var (time, a, b) = (two.Time, two.A, two.B);
        await a.RefreshAsync(CancellationToken.None);
        await a.ReleaseAllAsync(CancellationToken.None);

        var changes = await b.RefreshAsync(CancellationToken.None); // no time has passed
        Assert.Equal([0, 1, 2, 3], changes.Gained.Order());
        Assert.Equal(1, changes.LiveInstances);
    }

    [Fact]
    public async Task A_renewal_that_landed_while_its_answer_was_lost_is_kept_and_a_lease_another_instance_took_is_given_up()
    {
        await using var two = await TwoInstances.StartAsync();
        var (time, a) = (two.Time, two.A);
        Assert.Equal([0, 1, 2, 3], (await a.RefreshAsync(CancellationToken.None)).Gained.Order());

        // Partitions 0 and 1: A's own renewal reached the bucket, its answer did not (A still has the old revision).
        // Partition 2: gw-b holds it now.
        var expires = time.GetUtcNow().ToUnixTimeMilliseconds() + (long)Ttl.TotalMilliseconds;
        await two.Kv.PutAsync(PartitionLeases.KeyOf(0), new PartitionLease("gw-a", expires).Format());
        await two.Kv.PutAsync(PartitionLeases.KeyOf(1), new PartitionLease("gw-a", expires).Format());
        await two.Kv.PutAsync(PartitionLeases.KeyOf(2), new PartitionLease("gw-b", expires).Format());

        time.Advance(Ttl / 3);
        var changes = await a.RefreshAsync(CancellationToken.None);
        Assert.Equal([2], changes.Lost);
        Assert.Equal([0, 1, 3], a.Held.Order());
        Assert.All([0, 1, 3], p => Assert.True(a.StillValid(p)));

        // Renewed for real: a later round renews them again by their new revision.
        time.Advance(Ttl / 3);
        Assert.Empty((await a.RefreshAsync(CancellationToken.None)).Lost);
    }

    /// <summary>Two instances, gw-a and gw-b, sharing 4 partitions through one bucket of a fresh nats-server, on one fake clock.</summary>
    private sealed class TwoInstances : IAsyncDisposable
    {
        private NatsServer _server = null!;
        private NatsConnection _nats = null!;

        public FakeTimeProvider Time { get; } = new(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));

        public PartitionLeases A { get; private set; } = null!;

        public PartitionLeases B { get; private set; } = null!;

        public INatsKVStore Kv { get; private set; } = null!;

        public static async Task<TwoInstances> StartAsync()
        {
            var two = new TwoInstances { _server = await NatsServer.StartAsync() };
            two._nats = new NatsConnection(new NatsOpts { Url = two._server.Url });
            var kv = await new NatsKVContext(new NatsJSContext(two._nats)).CreateStoreAsync(new NatsKVConfig("smartcity-leases") { History = 1 });
            two.Kv = kv;
            two.A = new PartitionLeases(kv, "gw-a", 4, Ttl, two.Time);
            two.B = new PartitionLeases(kv, "gw-b", 4, Ttl, two.Time);
            return two;
        }

        public async ValueTask DisposeAsync()
        {
            await _nats.DisposeAsync();
            await _server.DisposeAsync();
        }
    }
}
