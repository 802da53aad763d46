using System.Diagnostics;
using SmartCity.IoT.Core.Pipeline;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.Nats.Tests;

/// <summary>What a crashed owner was handed and never acknowledged reaches the next owner at the takeover, not an ack wait later.</summary>
public sealed class TakeoverRedeliveryTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(3);

    private static readonly TimeSpan AckWait = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Messages_a_crashed_owner_never_acknowledged_reach_the_new_owner_within_the_takeover_bound_not_after_the_ack_wait()
    {
        await using var server = await NatsServer.StartAsync();
        await LeaseOwnershipTests.CreateStreamAndBucketAsync(server);
        var devices = Enumerable.Range(0, 40).Select(i => $"ies-{i:D2}").ToArray();
        await using var a = Source(server, "gw-a");
        var handedToA = new Recorder(a, ack: false);
        using var stopA = new CancellationTokenSource();
        var runA = a.RunAsync(Subscription, handedToA, stopA.Token);
        await Eventually.UntilAsync(() => a.OwnedPartitions.Count == NatsServer.Partitions, Bound, () => $"gw-a owns {string.Join(",", a.OwnedPartitions)}");
        await NatsJetStreamSourceTests.PublishAsync(server, devices);
        await Eventually.UntilAsync(() => handedToA.Count == devices.Length, Bound, () => $"gw-a was handed {handedToA.Count} of {devices.Length}");

        // gw-a dies holding all 40 unacknowledged; gw-b starts and must take every partition and get all 40.
        var clock = Stopwatch.StartNew();
        a.Crash();
        await runA;
        await using var b = Source(server, "gw-b");
        var handedToB = new Recorder(b, ack: true);
        using var stopB = new CancellationTokenSource();
        var runB = b.RunAsync(Subscription, handedToB, stopB.Token);
        await Eventually.UntilAsync(() => devices.All(d => handedToB.Topics.Any(t => t.Contains(d, StringComparison.Ordinal))), Bound, () => $"gw-b was handed {handedToB.Count} of {devices.Length} after {clock.Elapsed.TotalSeconds:F1} s");
        output.WriteLine($"all {devices.Length} unacknowledged messages reached the new owner {clock.Elapsed.TotalSeconds:F2} s after the crash (ack wait {AckWait.TotalSeconds} s)");
        Assert.True(clock.Elapsed < AckWait / 2, $"took {clock.Elapsed}: they waited for the ack wait ({AckWait})");

        // Each came with the time the stream stored it, as the first time: a redelivery is the same point.
        Assert.Equal(handedToA.Messages.Select(m => (m.Topic, m.Payload, m.ReceivedUnixNs)).Order(), handedToB.Messages.Select(m => (m.Topic, m.Payload, m.ReceivedUnixNs)).Distinct().Order());
        Assert.Equal(NatsServer.Partitions, b.OwnedPartitions.Count);
        await stopB.CancelAsync();
        await runB;
    }

    private static SourceSubscription Subscription { get; } = new(Array.Empty<SmartCity.IoT.Core.Decoding.TopicTemplate>());

    private static NatsJetStreamSource Source(NatsServer server, string id) => LeaseOwnershipTests.Source(server, id, ttl: Ttl, ackWait: AckWait);
}
