using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Client.KeyValueStore;

namespace SmartCity.IoT.Nats.Tests;

/// <summary><c>nats init</c> on a real nats-server: creates, is idempotent, refuses a work-queue stream and an absent server by name.</summary>
public sealed class NatsSetupTests
{
    private static readonly NatsSetupSettings Settings = new(1, TimeSpan.FromHours(24), TimeSpan.FromSeconds(4));

    [Fact]
    public async Task Init_creates_a_limits_stream_on_the_partitions_and_the_lease_bucket_and_a_second_run_changes_nothing()
    {
        await using var server = await NatsServer.StartAsync();
        var options = new NatsOptions { Url = server.Url };

        var first = await NatsSetup.InitAsync(options, Settings, CancellationToken.None);
        Assert.Contains(first, l => l.StartsWith("stream READINGS: created (subjects p.>", StringComparison.Ordinal));
        Assert.Contains(first, l => l.StartsWith("key-value bucket smartcity-leases: created", StringComparison.Ordinal));

        var second = await NatsSetup.InitAsync(options, Settings, CancellationToken.None);
        Assert.Contains(second, l => l.StartsWith("stream READINGS: up to date", StringComparison.Ordinal));
        Assert.Contains(second, l => l.StartsWith("key-value bucket smartcity-leases: up to date", StringComparison.Ordinal));

        await using var nats = new NatsConnection(new NatsOpts { Url = server.Url });
        var js = new NatsJSContext(nats);
        var stream = (await js.GetStreamAsync("READINGS")).Info.Config;
        Assert.Equal(StreamConfigRetention.Limits, stream.Retention);
        Assert.Equal(["p.>"], stream.Subjects);
        Assert.Equal(TimeSpan.FromHours(24), stream.MaxAge);
        await new NatsKVContext(js).GetStoreAsync("smartcity-leases");
    }

    [Fact]
    public async Task A_work_queue_stream_of_that_name_is_refused_saying_why_and_what_to_do()
    {
        await using var server = await NatsServer.StartAsync();
        await using (var nats = new NatsConnection(new NatsOpts { Url = server.Url }))
        {
            await new NatsJSContext(nats).CreateStreamAsync(new StreamConfig("READINGS", ["p.>"]) { Retention = StreamConfigRetention.Workqueue });
        }

        var error = await Assert.ThrowsAsync<NatsSetupException>(() => NatsSetup.InitAsync(new NatsOptions { Url = server.Url }, Settings, CancellationToken.None));
        Assert.StartsWith("stream 'READINGS' exists with Workqueue retention", error.Message, StringComparison.Ordinal);
        Assert.Contains("nats stream rm READINGS", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_server_is_one_sentence_naming_the_address()
    {
        var url = $"nats://127.0.0.1:{SmartCity.IoT.Testing.FreePort.Next()}";
        var error = await Assert.ThrowsAsync<NatsSetupException>(() => NatsSetup.InitAsync(new NatsOptions { Url = url }, Settings with { ConnectTimeout = TimeSpan.FromSeconds(1) }, CancellationToken.None));
        Assert.StartsWith($"cannot reach NATS at {url}", error.Message, StringComparison.Ordinal);
    }
}
