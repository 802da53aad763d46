using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Client.KeyValueStore;
using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Gateway.Hosting;
using SmartCity.IoT.Gateway.Nats;
using SmartCity.IoT.Gateway.Tests.Support;
using SmartCity.IoT.Nats;
using SmartCity.IoT.Nats.Tests;
using SmartCity.IoT.Rules.Engine;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.Gateway.Tests.Nats;

/// <summary>
/// A partition's rule state handed from one gateway to another through a real nats-server: the key-value checkpoint,
/// the replay of what came after it from the stream, the fence against the old owner, the release.
/// </summary>
public sealed class PartitionRuleStateTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_new_owner_restores_the_checkpoint_replays_what_came_after_and_ends_the_episode_the_old_owner_began()
    {
        await using var server = await NatsServer.StartAsync();
        await using var nats = new NatsConnection(new NatsOpts { Url = server.Url });
        var js = new NatsJSContext(nats);
        await js.CreateStreamAsync(new StreamConfig("READINGS", ["p.>"]));

        // The old owner: consumes partition 0, checkpoints after the first reading, fires on the second, then dies.
        await using var old = await Gateway.StartAsync(server);
        await old.State.PartitionAcquiredAsync("nats", 0, CancellationToken.None);
        await PublishAsync(js, "dev-1", 9.4);
        await old.WaitForLinesAsync(1);
        await old.State.SaveAllAsync(CancellationToken.None);
        Assert.Equal(1, old.State.Positions[0]);
        await PublishAsync(js, "dev-1", 80);
        await old.WaitForLinesAsync(2);
        var fired = Assert.Single(old.Harness.Outbox.Committed);
        Assert.Equal((AlertStatus.Firing, 2L), (fired.Status, fired.EpisodeOrigin));
        await old.KillAsync();

        // The new owner restores the checkpoint (stream sequence 1) and replays sequence 2 into the rules: the same transition.
        await using var owner = await Gateway.StartAsync(server);
        await owner.State.PartitionAcquiredAsync("nats", 0, CancellationToken.None);
        Assert.Equal(2, owner.State.Positions[0]);
        await owner.Harness.Pipeline.FlushAsync(CancellationToken.None).WaitAsync(Bound);
        var again = Assert.Single(owner.Harness.Outbox.Committed);
        Assert.Equal((fired.Fingerprint, fired.Status, fired.Severity, fired.EpisodeOrigin), (again.Fingerprint, again.Status, again.Severity, again.EpisodeOrigin));
        // Replayed into the rules only: the reading is not stored again (the transition's line in the alerts measurement is).
        Assert.Equal(2, old.Readings + owner.Readings);

        // The old owner, back from the dead, cannot overwrite the new owner's checkpoint.
        await old.State.SaveAllAsync(CancellationToken.None);
        Assert.Equal(2, (await CheckpointAsync(nats)).Position);

        owner.Start();
        owner.Harness.Time.Advance(TimeSpan.FromMinutes(16)); // the 80 leaves the 15-minute window
        await PublishAsync(js, "dev-1", 5);
        await owner.WaitForLinesAsync(1);
        Assert.Equal([AlertStatus.Firing, AlertStatus.Resolved], owner.Harness.Outbox.Committed.Select(a => a.Status));
        Assert.Equal(2, owner.Harness.Outbox.Committed[1].EpisodeOrigin);

        // Released: a last checkpoint at sequence 3, and the devices leave the engine without a transition.
        await owner.State.PartitionReleasedAsync("nats", 0, CancellationToken.None);
        Assert.Equal(3, (await CheckpointAsync(nats)).Position);
        Assert.Equal(0, owner.Harness.Get<RuleEngine>().DeviceCount);
        Assert.Equal(2, owner.Harness.Outbox.Committed.Count);
    }

    private static async Task PublishAsync(NatsJSContext js, string device, double pm25)
    {
        var (topic, payload) = PipelineHarness.Environment(device, pm25);
        var ack = await js.PublishAsync("p.0." + topic.Replace('/', '.'), Encoding.UTF8.GetBytes(payload), NatsRawSerializer<byte[]>.Default);
        ack.EnsureSuccess();
    }

    private static async Task<PartitionCheckpoint> CheckpointAsync(NatsConnection nats)
    {
        var kv = await new NatsKVContext(new NatsJSContext(nats)).GetStoreAsync("test-state");
        var entry = await kv.GetEntryAsync<byte[]>(PartitionCheckpoint.KeyOf(0));
        return PartitionCheckpoint.Parse(entry.Value!);
    }

    /// <summary>One gateway's pipeline (test sinks, recording outbox) with the real source on partition 0 and the state observer.</summary>
    private sealed class Gateway : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly NatsOptions _options;
        private Task _run = Task.CompletedTask;

        private Gateway(NatsServer server, NatsConnection connection)
        {
            Connection = connection;
            _options = new NatsOptions { Url = server.Url, Partitions = 4, Instance = 0, Instances = 4 };
            Source = new NatsJetStreamSource(_options, NullLogger<NatsJetStreamSource>.Instance, TimeProvider.System);
            State = new PartitionRuleState(
                Harness.Pipeline,
                connection,
                Options.Create(_options),
                Options.Create(new NatsStateOptions { Url = server.Url, StateBucket = "test-state" }),
                Options.Create(new GatewayOptions()),
                NullLogger<PartitionRuleState>.Instance,
                Harness.Time);
        }

        public PipelineHarness Harness { get; } = new();

        public NatsConnection Connection { get; }

        public NatsJetStreamSource Source { get; }

        public PartitionRuleState State { get; }

        public static async Task<Gateway> StartAsync(NatsServer server)
        {
            var connection = new NatsConnection(new NatsOpts { Url = server.Url });
            await connection.ConnectAsync();
            return new Gateway(server, connection);
        }

        /// <summary>Starts consuming partition 0 (after <see cref="PartitionRuleState.PartitionAcquiredAsync"/>).</summary>
        public void Start() => _run = Source.RunAsync(PipelineHarness.Catalog.Value.Decoder.Router.Subscription, Harness.Pipeline, _stop.Token);

        /// <summary>Reading lines stored (not those of the alerts measurement).</summary>
        public int Readings => Harness.Sink.Lines.Count(l => !l.StartsWith("alerts", StringComparison.Ordinal));

        public async Task WaitForLinesAsync(long lines)
        {
            if (_run.IsCompleted)
            {
                Start();
            }

            await Eventually.UntilAsync(
                async () =>
                {
                    await Harness.Pipeline.FlushAsync(CancellationToken.None);
                    return Readings >= lines;
                },
                Bound,
                () => $"{Readings} of {lines} reading lines stored",
                interval: TimeSpan.FromMilliseconds(20));
        }

        /// <summary>Stops consuming without releasing anything: the partition's state stays where its last checkpoint put it.</summary>
        public async Task KillAsync()
        {
            await _stop.CancelAsync();
            await _run;
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _run;
            await Source.DisposeAsync();
            State.Dispose();
            await Harness.DisposeAsync();
            await Connection.DisposeAsync();
            _stop.Dispose();
        }
    }
}
