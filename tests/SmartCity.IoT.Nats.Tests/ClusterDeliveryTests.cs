using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using SmartCity.IoT.Core.Pipeline;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.Nats.Tests;

/// <summary>Deliveries on a real three-node nats-server cluster, through a node that does not lead the consumer.</summary>
public sealed class ClusterDeliveryTests
{
    private const string Stream = "READINGS";

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_subject_with_an_at_sign_arrives_whole_through_a_node_that_does_not_lead_the_consumer_and_is_acknowledged()
    {
        await using var cluster = await NatsCluster.StartAsync();
        await using (var admin = new NatsConnection(new NatsOpts { Url = cluster.Url(0) }))
        {
            await new NatsJSContext(admin).CreateStreamAsync(new StreamConfig(Stream, ["p.>"]) { NumReplicas = 3 });
        }

        // The source creates its consumer on start; its leader is then known, and the source that reads is one connected
        // elsewhere, so every delivery crosses a route (where nats-server 2.9 joins reply and subject with '@').
        var stop = new CancellationTokenSource();
        var recorder = new Recorder(null, ack: true);
        var (source, run) = Start(cluster, 0, recorder, stop.Token);
        string? leader = null;
        await Eventually.UntilAsync(async () => (leader = await cluster.ConsumerLeaderAsync(Stream, "smartcity-p0")) is not null, Bound, () => $"consumer smartcity-p0 has no leader\n{cluster.Output}");
        var node = cluster.IndexOf(leader!);
        if (node == 0)
        {
            await stop.CancelAsync();
            await run;
            await source.DisposeAsync();
            stop.Dispose();
            stop = new CancellationTokenSource();
            (source, run) = Start(cluster, 1, recorder, stop.Token);
        }

        await using (source)
        {
            var subjects = Enumerable.Range(0, 20).Select(i => $"p.0.v3.pavilion-am319@ttn.devices.am319-{i:D2}.up").ToArray();
            ulong last = 0;
            await using (var publisher = new NatsConnection(new NatsOpts { Url = cluster.Url(node) }))
            {
                var js = new NatsJSContext(publisher);
                foreach (var subject in subjects)
                {
                    var ack = await js.PublishAsync(subject, Encoding.UTF8.GetBytes("hello " + subject));
                    ack.EnsureSuccess();
                    last = ack.Seq;
                }
            }

            await Eventually.UntilAsync(() => recorder.Count >= subjects.Length, Bound, () => $"{recorder.Count} of {subjects.Length} delivered: {string.Join(", ", recorder.Topics)}; source health: {source.Health.LastError}");
            Assert.Equal(subjects.Select(s => s[4..]).Order(), recorder.Topics.Order());
            Assert.Equal(subjects.Select(s => "hello " + s).Order(), recorder.Messages.Select(m => m.Payload).Order());
            Assert.Null(source.Health.LastError);

            // Acknowledged with the reply put back together: the consumer's floor reaches the last message.
            await using var check = new NatsConnection(new NatsOpts { Url = cluster.Url(node) });
            var checkJs = new NatsJSContext(check);
            ConsumerInfo? info = null;
            await Eventually.UntilAsync(
                async () => (info = (await checkJs.GetConsumerAsync(Stream, "smartcity-p0")).Info).AckFloor?.StreamSeq == last,
                Bound,
                () => $"ack floor {info?.AckFloor?.StreamSeq} of {last}, {info?.NumAckPending} pending");
            await stop.CancelAsync();
            await run;
            stop.Dispose();
        }
    }

    private static (NatsJetStreamSource Source, Task Run) Start(NatsCluster cluster, int node, Recorder recorder, CancellationToken stop)
    {
        var source = new NatsJetStreamSource(
            new NatsOptions
            {
                Url = cluster.Url(node),
                Partitions = 1,
                Instance = 0,
                Instances = 1,
                ReconnectMinDelay = TimeSpan.FromMilliseconds(50),
                ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
            },
            NullLogger<NatsJetStreamSource>.Instance,
            TimeProvider.System);
        recorder.Source = source;
        return (source, source.RunAsync(new SourceSubscription(Array.Empty<SmartCity.IoT.Core.Decoding.TopicTemplate>()), recorder, stop));
    }
}
