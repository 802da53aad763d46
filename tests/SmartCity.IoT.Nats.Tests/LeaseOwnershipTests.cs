using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Client.KeyValueStore;
using SmartCity.IoT.Core.Pipeline;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.Nats.Tests;

/// <summary>
/// Two sources in lease mode on a real nats-server, on the real clock (the lease arithmetic itself is tested on a fake
/// one in <see cref="PartitionLeasesTests"/>): takeover after a crash within the stated bound, release at once on a clean
/// stop, observers before the first message and after the last, and never one partition consumed by both.
/// </summary>
public sealed class LeaseOwnershipTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task When_an_owner_crashes_the_other_takes_every_partition_within_the_bound_and_consumes_the_rest_none_lost_never_both_at_once()
    {
        await using var server = await NatsServer.StartAsync();
        await CreateStreamAndBucketAsync(server);
        await using var a = Source(server, "gw-a");
        await using var b = Source(server, "gw-b");
        var log = new Deliveries();
        using var stopA = new CancellationTokenSource();
        using var stopB = new CancellationTokenSource();
        var runA = a.RunAsync(Subscription, log.For(a, "gw-a"), stopA.Token);
        await Eventually.UntilAsync(() => a.OwnedPartitions.Count == NatsServer.Partitions, Bound, () => $"gw-a to own every partition (owns {string.Join(",", a.OwnedPartitions)})");
        var runB = b.RunAsync(Subscription, log.For(b, "gw-b"), stopB.Token);
        await Eventually.UntilAsync(() => a.OwnedPartitions.Count == 2 && b.OwnedPartitions.Count == 2, Bound, () => $"two partitions each (a {string.Join(",", a.OwnedPartitions)}, b {string.Join(",", b.OwnedPartitions)})");

        var first = Enumerable.Range(0, 40).Select(i => $"ies-{i:D2}").ToArray();
        await PublishAsync(server, first, "one");
        await Eventually.UntilAsync(() => log.Payloads.Count >= first.Length, Bound, () => $"the first round consumed ({log.Payloads.Count} of {first.Length})");
        Assert.Contains(log.All, d => d.Instance == "gw-a");
        Assert.Contains(log.All, d => d.Instance == "gw-b");

        // gw-a dies: no release, no more renewals, nothing more acknowledged. Readings keep coming meanwhile.
        var crashedAt = DateTimeOffset.UtcNow;
        a.Crash();
        await runA;
        await PublishAsync(server, first, "two");
        await Eventually.UntilAsync(() => b.OwnedPartitions.Count == NatsServer.Partitions, Bound, () => $"gw-b to own every partition (owns {string.Join(",", b.OwnedPartitions)})");
        var takeover = b.Ownership.Owned.Max(o => o.Since) - crashedAt;
        output.WriteLine($"takeover after a crash with LeaseTtl {Ttl.TotalSeconds} s: {takeover.TotalSeconds:F2} s");
        // The stated bound: TTL + TTL/3 after the last renewal (itself at most TTL/3 before the crash), plus one round.
        Assert.InRange(takeover, TimeSpan.Zero, Ttl + Ttl + TimeSpan.FromSeconds(1));
        await Eventually.UntilAsync(() => first.All(d => log.Payloads.Contains($"{d} two")), Bound, () => $"the second round consumed (missing: {string.Join(", ", first.Where(d => !log.Payloads.Contains($"{d} two")))})");
        Assert.All(first, d => Assert.Contains($"{d} one", log.Payloads));

        await stopB.CancelAsync();
        await runB;
        AssertNeverBothAtOnce(log, a, b);
    }

    [Fact]
    public async Task A_clean_stop_gives_the_partitions_back_at_once_and_observers_run_before_the_first_message_and_after_the_last()
    {
        await using var server = await NatsServer.StartAsync();
        await CreateStreamAndBucketAsync(server);
        var observerA = new RecordingObserver();
        var observerB = new RecordingObserver();
        var ttl = TimeSpan.FromSeconds(9); // long, so a takeover by lapse could not pass for a release
        await using var a = Source(server, "gw-a", observerA, ttl);
        await using var b = Source(server, "gw-b", observerB, ttl);
        var log = new Deliveries { Observers = { ["gw-a"] = observerA, ["gw-b"] = observerB } };
        using var stopA = new CancellationTokenSource();
        using var stopB = new CancellationTokenSource();
        var runA = a.RunAsync(Subscription, log.For(a, "gw-a"), stopA.Token);
        var runB = b.RunAsync(Subscription, log.For(b, "gw-b"), stopB.Token);
        await Eventually.UntilAsync(() => a.OwnedPartitions.Count + b.OwnedPartitions.Count == NatsServer.Partitions && a.OwnedPartitions.Count == 2, Bound, () => $"two partitions each (a {string.Join(",", a.OwnedPartitions)}, b {string.Join(",", b.OwnedPartitions)})");
        var devices = Enumerable.Range(0, 40).Select(i => $"ies-{i:D2}").ToArray();
        await PublishAsync(server, devices, "one");
        await Eventually.UntilAsync(() => log.Payloads.Count >= devices.Length, Bound, () => $"the first round consumed ({log.Payloads.Count} of {devices.Length})");

        var aHeld = a.OwnedPartitions.ToArray();
        var stoppedAt = DateTimeOffset.UtcNow;
        await stopA.CancelAsync();
        await runA;
        Assert.Equal(aHeld.Order(), observerA.Released.Keys.Order());
        await Eventually.UntilAsync(() => b.OwnedPartitions.Count == NatsServer.Partitions, Bound, () => $"gw-b to own every partition (owns {string.Join(",", b.OwnedPartitions)})");
        var takeover = b.Ownership.Owned.Max(o => o.Since) - stoppedAt;
        output.WriteLine($"takeover after a clean stop with LeaseTtl {ttl.TotalSeconds} s: {takeover.TotalSeconds:F2} s");
        Assert.True(takeover < ttl / 2, $"took {takeover} after a clean stop: the leases were not given back (they lapse after {ttl})");

        await PublishAsync(server, devices, "two");
        await Eventually.UntilAsync(() => devices.All(d => log.Payloads.Contains($"{d} two")), Bound, "the second round consumed");
        await stopB.CancelAsync();
        await runB;

        Assert.Empty(log.Violations); // a message before its partition's acquisition completed, or after its release began
        Assert.Equal(NatsServer.Partitions, observerB.Released.Count);
        AssertNeverBothAtOnce(log, a, b);
    }

    /// <summary>Each delivery lies in an ownership interval of its instance, and the two instances' intervals of a partition never overlap.</summary>
    private static void AssertNeverBothAtOnce(Deliveries log, NatsJetStreamSource a, NatsJetStreamSource b)
    {
        var intervals = new[] { ("gw-a", a.Ownership.History), ("gw-b", b.Ownership.History) };
        foreach (var d in log.All)
        {
            var own = intervals.Single(i => i.Item1 == d.Instance).Item2;
            Assert.Contains(own, i => i.Partition == d.Partition && i.Acquired <= d.At && (i.Released is null || d.At <= i.Released));
        }

        foreach (var x in a.Ownership.History)
        {
            foreach (var y in b.Ownership.History.Where(y => y.Partition == x.Partition))
            {
                var xEnd = x.Released ?? DateTimeOffset.MaxValue;
                var yEnd = y.Released ?? DateTimeOffset.MaxValue;
                Assert.False(x.Acquired < yEnd && y.Acquired < xEnd, $"partition {x.Partition}: gw-a {x.Acquired:O}..{x.Released:O} overlaps gw-b {y.Acquired:O}..{y.Released:O}");
            }
        }
    }

    private static SourceSubscription Subscription { get; } = new(Array.Empty<SmartCity.IoT.Core.Decoding.TopicTemplate>());

    internal static NatsJetStreamSource Source(NatsServer server, string id, IPartitionOwnershipObserver? observer = null, TimeSpan? ttl = null, TimeSpan? ackWait = null) => new(
        new NatsOptions
        {
            Url = server.Url,
            Name = "nats",
            Partitions = NatsServer.Partitions,
            Ownership = NatsOwnership.Leases,
            InstanceId = id,
            LeaseTtl = ttl ?? Ttl,
            AckWait = ackWait ?? TimeSpan.FromSeconds(2),
            ReconnectMinDelay = TimeSpan.FromMilliseconds(50),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
        },
        NullLogger<NatsJetStreamSource>.Instance,
        TimeProvider.System,
        observer is null ? [] : [observer]);

    internal static async Task CreateStreamAndBucketAsync(NatsServer server)
    {
        await using var nats = new NatsConnection(new NatsOpts { Url = server.Url });
        var js = new NatsJSContext(nats);
        await js.CreateStreamAsync(new StreamConfig("READINGS", ["p.>"]));
        await new NatsKVContext(js).CreateStoreAsync(new NatsKVConfig("smartcity-leases") { History = 1 });
    }

    private static Task PublishAsync(NatsServer server, IEnumerable<string> devices, string round) =>
        NatsJetStreamSourceTests.PublishAsync(server, devices, d => $"{d} {round}");

    private sealed record Delivery(string Instance, int Partition, string Payload, DateTimeOffset At);

    private sealed class RecordingObserver : IPartitionOwnershipObserver
    {
        public ConcurrentDictionary<int, DateTimeOffset> Acquired { get; } = new();

        public ConcurrentDictionary<int, DateTimeOffset> Released { get; } = new();

        public async Task PartitionAcquiredAsync(string source, int partition, CancellationToken cancellationToken)
        {
            Released.TryRemove(partition, out _);
            await Task.Delay(200, cancellationToken); // restoring state takes a while: nothing may arrive meanwhile
            Acquired[partition] = DateTimeOffset.UtcNow;
        }

        public Task PartitionReleasedAsync(string source, int partition, CancellationToken cancellationToken)
        {
            Acquired.TryRemove(partition, out _);
            Released[partition] = DateTimeOffset.UtcNow;
            return Task.CompletedTask;
        }
    }

    private sealed class Deliveries
    {
        private readonly ConcurrentQueue<Delivery> _all = new();

        public Dictionary<string, RecordingObserver> Observers { get; } = [];

        public ConcurrentQueue<string> Violations { get; } = new();

        public IReadOnlyCollection<Delivery> All => _all;

        public HashSet<string> Payloads => _all.Select(d => d.Payload).ToHashSet();

        public IMessageHandler For(IMessageSource source, string instance) => new Handler(this, source, instance);

        private sealed class Handler(Deliveries log, IMessageSource source, string instance) : IMessageHandler
        {
            public async ValueTask OnMessageAsync(InboundMessage message, CancellationToken cancellationToken)
            {
                var at = DateTimeOffset.UtcNow;
                if (log.Observers.TryGetValue(instance, out var observer) && !observer.Acquired.ContainsKey(message.Partition))
                {
                    log.Violations.Enqueue($"{instance} got a message of partition {message.Partition} while its observer did not hold it");
                }

                log._all.Enqueue(new Delivery(instance, message.Partition, Encoding.UTF8.GetString(message.Payload), at));
                await source.AcknowledgeAsync(new[] { message.Token }, cancellationToken);
            }
        }
    }
}
