using System.Diagnostics;
using MQTTnet.Formatter;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Devices;
using SmartCity.IoT.Gateway.Hosting;
using SmartCity.IoT.IntegrationTests.Infrastructure;
using SmartCity.IoT.Testing;
using Xunit.Abstractions;

namespace SmartCity.IoT.IntegrationTests;

/// <summary>
/// <c>nats mappings</c> for the shipped profiles, run as users run it (<c>dotnet gateway.dll nats mappings ... &gt; file</c>),
/// given verbatim to a real nats-server: every profile's sample topics, published over MQTT 3.1.1 at QoS 1, land in the
/// stream in the partition nats-server's <c>partition()</c> gives the device token, availability with telemetry, and a
/// gateway in NATS mode stores the profiles' readings in InfluxDB.
/// </summary>
public sealed class NatsMappingsTests(ITestOutputHelper output)
{
    private const int Partitions = 4;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    /// <param name="by">Null: partitioned by the device id; a segment: by it in the profiles whose every template has it.</param>
    [Theory]
    [InlineData(null)]
    [InlineData("building")]
    public async Task Every_shipped_sample_topic_lands_in_its_tokens_partition_and_availability_with_its_readings(string? by)
    {
        var mappings = await GenerateAsync(by);
        await using var cluster = await NatsCluster.StartAsync(partitions: Partitions, mappings: mappings);
        await InitAsync(cluster);

        var catalog = DeviceCatalog.Load(RepoPaths.Devices);
        var expected = new Dictionary<string, (string Profile, string Device, string Token, bool Availability)>(StringComparer.Ordinal);
        var payloads = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var loaded in catalog.LoadedProfiles)
        {
            var decoding = loaded.Profile.Decoding;
            var templates = decoding.Topics.Append(decoding.Availability?.Template).OfType<TopicTemplate>().ToList();
            var key = by is not null && templates.All(t => t.Segments.Any(s => s.Name == by)) ? by : null;
            foreach (var sample in loaded.Samples.Where(s => !s.Topic.Contains('.', StringComparison.Ordinal)))
            {
                // nats-server 2.9's MQTT listener refuses a topic with a '.' (Sparkplug's spBv1.0): `nats mappings` names those.
                if (decoding.Topics.Append(decoding.Availability?.Template).OfType<TopicTemplate>().FirstOrDefault(t => Matches(t, sample.Topic)) is not { } template)
                {
                    output.WriteLine($"{loaded.Profile.Id}: sample '{sample.Name}' is on {sample.Topic}, none of the profile's topics: not published");
                    continue;
                }

                var values = Values(template, sample.Topic);
                var isAvailability = ReferenceEquals(template, decoding.Availability?.Template);
                var device = values[template.Segments[template.DeviceIdIndex].Name!];
                var token = key is null ? device : values[key];
                expected.TryAdd(sample.Topic, (loaded.Profile.Id, device, token, isAvailability));
                payloads.TryAdd(sample.Topic, sample.Payload);

                // The same device's availability topic, whether or not the profile has a sample of it.
                if (!isAvailability && decoding.Availability?.Template is { } availability && availability.Segments.All(s => !s.IsNamed || values.ContainsKey(s.Name!)))
                {
                    var topic = availability.Format(n => values[n]);
                    expected.TryAdd(topic, (loaded.Profile.Id, device, token, true));
                    payloads.TryAdd(topic, "online"u8.ToArray());
                }
            }
        }

        Assert.True(expected.Values.Select(e => e.Profile).Distinct().Count() >= catalog.Profiles.Count - 1, "every profile but Sparkplug's has a sample topic to publish");
        Assert.True(by is null || expected.Values.Count(e => e.Token != e.Device) >= 10, $"--by {by}: the shipped profiles have topics keyed by it");
        await using (var publisher = await TestPublisher.ConnectAsync([cluster.MqttPort(0)], MqttProtocolVersion.V311))
        {
            foreach (var (topic, payload) in payloads)
            {
                await publisher.PublishWithRetryAsync(topic, payload, Bound, $"nats-server taking {topic}");
            }
        }

        await using var nats = new NatsConnection(new NatsOpts { Url = await LeaderUrlAsync(cluster) });
        var js = new NatsJSContext(nats);
        var consumer = await js.CreateOrUpdateConsumerAsync("READINGS", new ConsumerConfig("check-mappings") { AckPolicy = ConsumerConfigAckPolicy.None });
        var subjects = new List<string>();
        var deadline = DateTime.UtcNow + Bound;
        while (subjects.Count < expected.Count && DateTime.UtcNow < deadline)
        {
            await foreach (var msg in consumer.FetchAsync<byte[]>(new NatsJSFetchOpts { MaxMsgs = 1000, Expires = TimeSpan.FromSeconds(1) }))
            {
                subjects.Add(msg.Subject);
            }
        }

        var wanted = expected.ToDictionary(e => $"p.{NatsCluster.PartitionOf(e.Value.Token, Partitions)}.{e.Key.Replace('/', '.')}", e => e.Key, StringComparer.Ordinal);
        var missing = wanted.Keys.Except(subjects).Select(s => $"{wanted[s]} (wanted {s})").ToList();
        var strange = subjects.Except(wanted.Keys).ToList();
        output.WriteLine($"{expected.Count} topics of {expected.Values.Select(e => e.Profile).Distinct().Count()} profiles published, {subjects.Count} messages stored");
        Assert.True(missing.Count == 0 && strange.Count == 0, $"not in the stream where the device token puts them:\n{string.Join("\n", missing)}\nin the stream unexpectedly:\n{string.Join("\n", strange)}");
        Assert.Equal(expected.Count, subjects.Count);

        // A device's availability and readings share a partition, so one instance owns its online state and its rules.
        var partitionOf = subjects.ToDictionary(s => s[(s.IndexOf('.', 2) + 1)..].Replace('.', '/'), s => s.Split('.')[1], StringComparer.Ordinal);
        var checkedDevices = 0;
        foreach (var device in expected.GroupBy(e => (e.Value.Profile, e.Value.Device)).Where(g => g.Any(e => e.Value.Availability) && g.Any(e => !e.Value.Availability)))
        {
            Assert.Single(device.Select(e => partitionOf[e.Key]).Distinct());
            checkedDevices++;
        }

        Assert.True(checkedDevices >= 4, $"{checkedDevices} device(s) with availability and telemetry checked; the shipped profiles have four with an availability topic");
    }

    [Fact]
    public async Task A_gateway_in_nats_mode_stores_every_profiles_readings_published_through_the_generated_mapping()
    {
        var mappings = await GenerateAsync();
        await using var cluster = await NatsCluster.StartAsync(partitions: Partitions, mappings: mappings);
        await InitAsync(cluster);
        using var influx = new InfluxHttp(TestEnvironment.InfluxUrl);
        var database = await influx.NewDatabaseAsync("natsmappings");
        var catalog = DeviceCatalog.Load(RepoPaths.Devices);
        var messages = SampleTraffic.Build(catalog, 60, "nm" + Guid.NewGuid().ToString("N")[..6], SampleTraffic.DotFreeTopics(catalog));
        output.WriteLine($"{messages.Count} readings of {messages.Select(m => m.ProfileId).Distinct().Count()} profiles: {string.Join(", ", messages.Select(m => m.ProfileId).Distinct())}");

        // Through a node that does not lead the stream, so every delivery crosses a route: nats-server 2.9 cuts the TTN
        // profiles' app@ttn subjects at the '@' there, and the NATS source must put them back together and acknowledge them.
        var natsUrl = await FollowerUrlAsync(cluster);
        await using var gateway = await GatewayInstance.StartAsync(settings =>
        {
            settings.Remove("Mqtt:Host");
            settings.Remove("Mqtt:Port");
            settings.Remove("Mqtt:ClientId");
            settings["Nats:Url"] = natsUrl;
            settings["Nats:Partitions"] = Partitions.ToString(System.Globalization.CultureInfo.InvariantCulture);
            GatewayInstance.WriteTo(settings, database);
        });

        await using (var publisher = await TestPublisher.ConnectAsync([cluster.MqttPort(0)], MqttProtocolVersion.V311))
        {
            foreach (var m in messages)
            {
                await publisher.PublishWithRetryAsync(m.Topic, m.Payload, Bound, $"nats-server taking {m.Topic}");
            }
        }

        await influx.AssertAllStoredAsync(database, messages, Bound, "after publishing through nats-server's MQTT listener and the generated mapping");
    }

    /// <summary>
    /// The node that leads the stream (one replica: its consumers live there too), so this test's own consumer sees each
    /// subject as stored: nats-server 2.9 hands a subject with an '@' (the TTN profiles' <c>app@ttn</c>) to a client of
    /// another node cut at the '@' (fixed in 2025 by nats-server pull request 6777).
    /// </summary>
    private static async Task<string> LeaderUrlAsync(NatsCluster cluster) => cluster.Url(await LeaderAsync(cluster));

    /// <summary>A node that does not lead the stream.</summary>
    private static async Task<string> FollowerUrlAsync(NatsCluster cluster) => cluster.Url((await LeaderAsync(cluster) + 1) % cluster.Count);

    private static async Task<int> LeaderAsync(NatsCluster cluster)
    {
        var leader = (await Eventually.WaitAsync(() => cluster.StreamLeaderAsync("READINGS"), l => l is not null, Bound, "a leader of READINGS"))!;
        return cluster.IndexOf(leader);
    }

    /// <summary>Runs the command as a separate process, as deployment scripts do; stdout alone is the configuration block.</summary>
    private async Task<string> GenerateAsync(string? by = null)
    {
        var dir = AppContext.BaseDirectory;
        var testAssembly = typeof(NatsMappingsTests).Assembly.GetName().Name!;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])["exec", "--runtimeconfig", Path.Combine(dir, testAssembly + ".runtimeconfig.json"), "--depsfile", Path.Combine(dir, testAssembly + ".deps.json"),
            typeof(GatewayHost).Assembly.Location, "nats", "mappings", "--partitions", Partitions.ToString(System.Globalization.CultureInfo.InvariantCulture), "--devices-root", RepoPaths.Devices, .. (by is null ? Array.Empty<string>() : new[] { "--by", by })])
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        output.WriteLine("notes:\n" + await stderr);
        Assert.True(process.ExitCode == 0, $"nats mappings exited with {process.ExitCode}: {await stderr}");
        var text = await stdout;
        Assert.StartsWith("mappings = {", text, StringComparison.Ordinal);
        Assert.EndsWith("}", text.TrimEnd(), StringComparison.Ordinal);
        return text;
    }

    private async Task InitAsync(NatsCluster cluster)
    {
        var (code, text) = await CommandLineTests.RunAsync("nats", "init", "--url", cluster.Urls);
        Assert.True(code == 0, $"nats init --url {cluster.Urls} exited with {code}: {text}");
    }

    private static bool Matches(TopicTemplate template, string topic) => template.TryMatch(topic, new Range[template.SegmentCount]);

    private static Dictionary<string, string> Values(TopicTemplate template, string topic)
    {
        var levels = new Range[template.SegmentCount];
        Assert.True(template.TryMatch(topic, levels));
        return template.Segments.Select((s, i) => (s, i)).Where(x => x.s.IsNamed).ToDictionary(x => x.s.Name!, x => topic[levels[x.i]], StringComparer.Ordinal);
    }
}
