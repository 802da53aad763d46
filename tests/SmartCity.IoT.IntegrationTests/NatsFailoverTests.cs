using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MQTTnet.Formatter;
using SmartCity.IoT.IntegrationTests.Infrastructure;
using SmartCity.IoT.Testing;
using Xunit.Abstractions;

namespace SmartCity.IoT.IntegrationTests;

/// <summary>
/// Issue 17's failover bar on real servers: a three-node nats-server cluster (started here, so a node can be killed), a
/// stream with three replicas, MQTT QoS 1 publishes through two different nodes, two gateway processes sharing the
/// partitions by leases, InfluxDB 1.6.7 and a real HTTP receiver. Mid-stream one gateway is SIGKILLed while it has
/// alerts firing and a <c>for:</c> alert pending, then one NATS node is killed. At the end every reading is in InfluxDB
/// (duplicates only as identical points), each alert episode reached the receiver once firing and once resolved, the
/// pending <c>for:</c> alert fired on its new owner at pending-since + <c>for</c>, and no partition (so no device) was
/// consumed by both instances at once.
/// </summary>
public sealed class NatsFailoverTests(ITestOutputHelper output)
{
    private const int Partitions = 4;
    private const string Stream = "READINGS";
    private const string LeaseBucket = "smartcity-leases";

    /// <summary>Every device publishes once per tick; a reading's timestamp is its tick's, so a re-sent one is the same point.</summary>
    private const int Ticks = 100;
    private const int KillGatewayTick = 24;
    private const int KillNodeTick = 40;

    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LeaseTtl = TimeSpan.FromSeconds(6); // the default: rides out a lease bucket's leader election
    private static readonly TimeSpan AckWait = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan For = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How late a <c>for:</c> alert may fire after pending-since + <c>for</c>: the rule timer runs about once a second, and
    /// on a loaded machine the reading's consumption and the routing add up to a second or two more.
    /// </summary>
    private static readonly TimeSpan ForTolerance = TimeSpan.FromSeconds(3);

    /// <summary>A taken-over partition's first message must be consumed within the lease's bound (TTL + TTL/3) plus this.</summary>
    private static readonly TimeSpan TakeoverSlack = TimeSpan.FromSeconds(6);

    private const string Rules = """
        rules:
          - name: nc_co2_high
            match: { family: environment, tags: { building: hq } }
            expr: co2 > 1000
            clear: co2 < 900
            severity: critical
          - name: nc_co2_held
            match: { family: environment, tags: { building: annex } }
            expr: co2 > 1000
            for: 15s
            clear: co2 < 900
            severity: major
        """;

    [Fact]
    public async Task Two_gateways_on_a_three_node_cluster_lose_no_reading_and_no_alert_when_one_gateway_and_one_node_are_killed()
    {
        var clock = Stopwatch.StartNew();
        var run = "nc" + Guid.NewGuid().ToString("N")[..6];
        await using var cluster = await NatsCluster.StartAsync(partitions: Partitions);
        await InitAsync(cluster);
        // The node that dies carries one of the two publishers, never the stream's leader (see NatsClusterTests: nats-server
        // 2.9.10 acknowledges QoS 1 publishes it cannot store while the stream elects a new leader).
        var leader = (await Eventually.WaitAsync(() => cluster.StreamLeaderAsync(Stream), l => l is not null, TimeSpan.FromSeconds(30), $"a leader of {Stream}"))!;
        var deadNode = cluster.IndexOf(leader) == 0 ? 1 : 0;
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: cluster up, {Stream} led by {leader}; {cluster.Names[deadNode]} will be killed");

        using var influx = new InfluxHttp(TestEnvironment.InfluxUrl);
        var database = await influx.NewDatabaseAsync("natsfailover");
        await using var receiver = await WebhookReceiver.StartAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var rulesDir = Directory.CreateTempSubdirectory("smartcity-natsfailover-rules-").FullName;
        await File.WriteAllTextAsync(Path.Combine(rulesDir, "failover.yaml"), Rules);

        // Both gateways are given every node, the one that dies first: as users point a client at a cluster. The survivor's
        // connection then fails over to a live node.
        var urls = string.Join(",", Enumerable.Range(0, cluster.Count).OrderBy(i => i == deadNode ? 0 : 1).Select(cluster.Url));
        var (victimUrl, victim) = StartGateway("gw-a", urls, database, rulesDir, receiver);
        using var victimProcess = victim;
        var (survivorUrl, survivor) = StartGateway("gw-b", urls, database, rulesDir, receiver);
        using var survivorProcess = survivor;
        try
        {
            await GatewayProcess.WaitReadyAsync(victimUrl);
            await GatewayProcess.WaitReadyAsync(survivorUrl);
            await RunAsync(cluster, deadNode, influx, database, receiver, http, run, victimUrl, victim, survivorUrl, survivor, clock);
        }
        catch (Exception)
        {
            output.WriteLine("--- gw-b\n" + survivor.Output);
            output.WriteLine("--- gw-a\n" + victim.Output);
            output.WriteLine(cluster.Output[^Math.Min(cluster.Output.Length, 20_000)..]);
            throw;
        }
        finally
        {
            survivor.Stop();
        }
    }

    private async Task RunAsync(NatsCluster cluster, int deadNode, InfluxHttp influx, string database, WebhookReceiver receiver, HttpClient http, string run, string victimUrl, GatewayProcess victim, string survivorUrl, GatewayProcess survivor, Stopwatch clock)
    {
        // The instances balance the partitions two and two before any reading is sent.
        var statuses = await Eventually.WaitAsync(
            async () => (await InstanceStatus.ReadAsync(http, victimUrl), await InstanceStatus.ReadAsync(http, survivorUrl)),
            s => s.Item1.Owned.Count == 2 && s.Item2.Owned.Count == 2 && !s.Item1.Owned.Keys.Intersect(s.Item2.Owned.Keys).Any(),
            TimeSpan.FromSeconds(60),
            "gw-a and gw-b to own two partitions each");
        var victimPartitions = statuses.Item1.Owned.Keys.Order().ToArray();
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: gw-a owns {string.Join(",", victimPartitions)}, gw-b owns {string.Join(",", statuses.Item2.Owned.Keys.Order())}");

        var devices = Plan.For(run, Partitions);
        var heldOnVictim = devices.Single(d => d.Held && victimPartitions.Contains(d.Partition) && d.Partition == victimPartitions[0]);
        var start = DateTimeOffset.UtcNow;
        var published = new ConcurrentDictionary<(string Device, long Ts), int>();
        var tick = 0;
        var history = new ConcurrentDictionary<string, InstanceStatus>();

        await using var viaFirst = await TestPublisher.ConnectAsync([cluster.MqttPort(0), cluster.MqttPort(1), cluster.MqttPort(2)], MqttProtocolVersion.V311);
        await using var viaSecond = await TestPublisher.ConnectAsync([cluster.MqttPort(1), cluster.MqttPort(2), cluster.MqttPort(0)], MqttProtocolVersion.V311);
        var publishing = Task.WhenAll(
            PublishAsync(viaFirst, devices.Where((_, i) => i % 2 == 0).ToArray(), start, published, t => tick = Math.Max(tick, t)),
            PublishAsync(viaSecond, devices.Where((_, i) => i % 2 == 1).ToArray(), start, published, t => tick = Math.Max(tick, t)));

        // The gateway dies with alerts firing (the long episodes of its partitions) and the held alert pending.
        var longOnVictim = devices.Where(d => d.Kind == EpisodeKind.Across && victimPartitions.Contains(d.Partition)).Select(d => d.Id).ToArray();
        var beforeKill = await Eventually.WaitAsync(
            async () => (Status: await InstanceStatus.ReadAsync(http, victimUrl), Tick: tick),
            s => s.Tick >= KillGatewayTick && s.Status.Alerts.Any(a => a.Device == heldOnVictim.Id && a.State == "pending") && longOnVictim.All(d => Webhooks.DistinctIds(receiver, d, "firing") == 1),
            TimeSpan.FromSeconds(30),
            $"gw-a at tick {KillGatewayTick} with {heldOnVictim.Id} pending and {string.Join(", ", longOnVictim)} firing at the receiver");
        var pendingSince = beforeKill.Status.Alerts.Single(a => a.Device == heldOnVictim.Id).Since;
        victim.Kill();
        var killedAt = DateTimeOffset.UtcNow;
        history[beforeKill.Status.Id] = beforeKill.Status;
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: SIGKILL gw-a at tick {tick}; {heldOnVictim.Id} (partition {heldOnVictim.Partition}) pending since {pendingSince:HH:mm:ss.fff}");

        // Takeover: the survivor's lease on the dead instance's partitions, then its first message of one of them.
        var takenOver = await Eventually.WaitAsync(
            () => InstanceStatus.ReadAsync(http, survivorUrl),
            s => victimPartitions.All(s.Owned.ContainsKey),
            LeaseTtl * 4 / 3 + TakeoverSlack,
            $"gw-b to take over partitions {string.Join(",", victimPartitions)}");
        var firstConsumed = await Eventually.WaitAsync(
            () => InstanceStatus.ReadAsync(http, survivorUrl),
            s => s.DevicePartitions.Values.Any(victimPartitions.Contains),
            LeaseTtl * 4 / 3 + TakeoverSlack,
            $"gw-b to consume a message of partitions {string.Join(",", victimPartitions)}");
        var firstConsumedAt = DateTimeOffset.UtcNow;
        var leaseAfter = victimPartitions.Min(p => takenOver.Owned[p]) - killedAt;
        var takeover = firstConsumedAt - killedAt;
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: takeover: lease {leaseAfter.TotalSeconds:0.00} s after the kill, first message consumed by {takeover.TotalSeconds:0.00} s (status polled every 200 ms)");

        await Eventually.WaitAsync(() => Task.FromResult(tick), t => t >= KillNodeTick, TimeSpan.FromSeconds(30), $"tick {KillNodeTick}");
        cluster.Kill(deadNode);
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: SIGKILL {cluster.Names[deadNode]} at tick {tick}");

        await publishing;
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: {published.Count} readings published ({published.Values.Sum()} publishes, failovers {viaFirst.Failovers} and {viaSecond.Failovers})");

        // Every reading in InfluxDB...
        var expected = published.Keys.ToHashSet();
        var stored = await Eventually.WaitAsync(
            () => StoredAsync(influx, database, run),
            s => s.Count >= expected.Count,
            TimeSpan.FromSeconds(90),
            $"{expected.Count} readings in InfluxDB");
        // ...and every episode's firing and resolve at the receiver, then a quiet spell in which a doubled one would show.
        // Every check below is made and reported, so one run names everything that is wrong.
        var failures = new List<string>();
        try
        {
            await Eventually.WaitAsync(
                () => Task.FromResult(devices.Count(d => Webhooks.DistinctIds(receiver, d.Id, "firing") >= 1 && Webhooks.DistinctIds(receiver, d.Id, "resolved") >= 1)),
                n => n == devices.Count,
                TimeSpan.FromSeconds(45),
                $"a firing and a resolve for each of {devices.Count} episodes");
            await Task.Delay(TimeSpan.FromSeconds(3));
        }
        catch (TimeoutException ex)
        {
            failures.Add(ex.Message);
        }

        var end = await InstanceStatus.ReadAsync(http, survivorUrl);
        history[end.Id] = end;
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: stored, notifications {(failures.Count == 0 ? "all" : "not all")} delivered");

        var missing = expected.Where(k => !stored.ContainsKey(k)).ToArray();
        Check(missing.Length == 0, $"{missing.Length} of {expected.Count} readings not in InfluxDB, e.g. {string.Join(", ", missing.Take(5).Select(m => $"{m.Device}@{m.Ts}"))}");
        var extra = stored.Keys.Where(k => !expected.Contains(k)).ToArray();
        Check(extra.Length == 0, $"{extra.Length} points in InfluxDB that were never published, e.g. {string.Join(", ", extra.Take(5))}");
        var changed = stored.Where(s => s.Value != devices.Single(d => d.Id == s.Key.Device).Co2At(TickOf(s.Key.Ts, start))).ToArray();
        Check(changed.Length == 0, $"{changed.Length} points differ from what was published (a duplicate must be the same point), e.g. {string.Join(", ", changed.Take(5))}");

        var wrong = devices.Where(d => Webhooks.DistinctIds(receiver, d.Id, "firing") != 1 || Webhooks.DistinctIds(receiver, d.Id, "resolved") != 1).ToArray();
        Check(wrong.Length == 0, "expected one firing and one resolve per episode (distinct webhook-id), got: " + string.Join("; ", wrong.Select(d =>
            $"{d.Id} ({d.Kind}, partition {d.Partition} of {(victimPartitions.Contains(d.Partition) ? "gw-a, killed" : "gw-b")}): {Webhooks.DistinctIds(receiver, d.Id, "firing")} firing, {Webhooks.DistinctIds(receiver, d.Id, "resolved")} resolved")));

        // Affinity: no partition, hence no device, was consumed by both instances at once; each instance evaluated only
        // devices of partitions it held.
        var spans = history["gw-a"].History.Select(s => s.EndingAt(killedAt, "killed"))
            .Concat(history["gw-b"].History.Select(s => s.EndingAt(DateTimeOffset.UtcNow, "open at the end")))
            .ToArray();
        output.WriteLine("ownership: " + string.Join("; ", spans.Select(s => s.ToString())));
        var overlaps = spans.SelectMany(a => spans.Where(b => string.CompareOrdinal(a.Instance, b.Instance) < 0 && a.Overlaps(b)).Select(b => $"{a} and {b}")).ToArray();
        Check(overlaps.Length == 0, "a partition consumed by two instances at once: " + string.Join("; ", overlaps));
        // The held alert pending on gw-a when it died fires on gw-b at pending-since + for, or, when gw-b did not hold its
        // partition then (its lease lapsed while the killed node's share of the lease bucket was being re-elected), as soon
        // as gw-b holds it again: no instance may evaluate a partition it does not hold.
        var fired = Webhooks.ChangedAt(receiver, heldOnVictim.Id, "firing");
        var due = pendingSince + For;
        var heldAgain = spans.Where(s => s.Instance == "gw-b" && s.Partition == heldOnVictim.Partition && s.Released > due)
            .Select(s => s.Acquired > due ? s.Acquired : due).DefaultIfEmpty(DateTimeOffset.MaxValue).Min();
        var expectedAt = heldAgain == DateTimeOffset.MaxValue ? due : heldAgain;
        Check(fired is { } f && f >= due - TimeSpan.FromMilliseconds(50) && f <= expectedAt + ForTolerance,
            $"{heldOnVictim.Id}, pending on gw-a since {pendingSince:HH:mm:ss.fff} when it was killed, expected to fire on gw-b at {due:HH:mm:ss.fff}{(expectedAt > due ? $" or, as gw-b held partition {heldOnVictim.Partition} again only then, at {expectedAt:HH:mm:ss.fff}" : "")} (up to {ForTolerance.TotalSeconds:0} s later), fired {(fired is { } at ? $"at {at:HH:mm:ss.fff} ({(at - expectedAt).TotalSeconds:+0.0;-0.0} s)" : "never")}");

        Check(victimPartitions.All(p => spans.Any(s => s.Instance == "gw-b" && s.Partition == p && s.Acquired >= killedAt)), $"gw-b's history lacks a takeover of {string.Join(",", victimPartitions)} after the kill");
        foreach (var status in history.Values)
        {
            var held = status.History.Select(s => s.Partition).ToHashSet();
            var strays = status.DevicePartitions.Where(d => d.Key.StartsWith(run, StringComparison.Ordinal) && !held.Contains(d.Value)).ToArray();
            Check(strays.Length == 0, $"{status.Id} evaluated devices of partitions it never held (held {string.Join(",", held)}): {string.Join(", ", strays)}");
        }

        Check(takeover <= LeaseTtl * 4 / 3 + TakeoverSlack, $"takeover took {takeover.TotalSeconds:0.0} s, expected within {(LeaseTtl * 4 / 3 + TakeoverSlack).TotalSeconds:0} s");
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: checked");
        Assert.True(failures.Count == 0, $"{failures.Count} failover check(s) failed:\n- " + string.Join("\n- ", failures));

        void Check(bool ok, string failure)
        {
            if (!ok)
            {
                failures.Add(failure);
            }
        }
    }

    private static int TickOf(long tsMs, DateTimeOffset start) => (int)((tsMs - start.ToUnixTimeMilliseconds()) / (long)Tick.TotalMilliseconds);

    /// <summary>Publishes each device's reading every tick, re-sending one (same timestamp) until some node acknowledges it.</summary>
    private static async Task PublishAsync(TestPublisher publisher, Plan[] devices, DateTimeOffset start, ConcurrentDictionary<(string, long), int> published, Action<int> reached)
    {
        for (var t = 0; t < Ticks; t++)
        {
            var due = start + t * Tick;
            if (due > DateTimeOffset.UtcNow)
            {
                await Task.Delay(due - DateTimeOffset.UtcNow);
            }

            var ts = start.ToUnixTimeMilliseconds() + (long)(t * Tick.TotalMilliseconds);
            foreach (var device in devices)
            {
                var topic = $"buildings/{device.Building}/floors/3/env/{device.Id}/telemetry";
                await publisher.PublishWithRetryAsync(topic, Co2Reading.Payload(device.Co2At(t), ts), TimeSpan.FromSeconds(30), $"tick {t}");

                published.AddOrUpdate((device.Id, ts), 1, (_, n) => n + 1);
            }

            reached(t);
        }
    }

    /// <summary>Every stored CO2 point of the run, by device and timestamp (ms).</summary>
    private static async Task<Dictionary<(string Device, long Ts), double>> StoredAsync(InfluxHttp influx, string database, string run)
    {
        var rows = await influx.QueryAsync(database, $"SELECT co2 FROM environment WHERE device =~ /^{run}/ GROUP BY device");
        return rows.ToDictionary(r => (r["device"].GetString()!, r["time"].GetInt64() / 1_000_000), r => r["co2"].GetDouble());
    }

    private static (string Url, GatewayProcess Process) StartGateway(string id, string natsUrl, string database, string rulesDir, WebhookReceiver receiver)
    {
        var dataDir = Directory.CreateTempSubdirectory($"smartcity-natsfailover-{id}-").FullName;
        var settings = GatewayInstance.DefaultSettings(dataDir, 0);
        settings.Remove("Mqtt:Host");
        settings.Remove("Mqtt:Port");
        settings.Remove("Mqtt:ClientId");
        var url = $"http://127.0.0.1:{FreePort.Next()}";
        settings["Http:Urls"] = url;
        settings["Nats:Url"] = natsUrl;
        settings["Nats:Stream"] = Stream;
        settings["Nats:Partitions"] = Partitions.ToString(CultureInfo.InvariantCulture);
        settings["Nats:Ownership"] = "Leases";
        settings["Nats:InstanceId"] = id;
        settings["Nats:LeaseBucket"] = LeaseBucket;
        settings["Nats:LeaseTtl"] = LeaseTtl.ToString();
        settings["Nats:AckWait"] = AckWait.ToString();
        settings["Nats:ReconnectMaxDelay"] = "00:00:01";
        settings["Nats:StateReplicas"] = "3";
        settings["Nats:AlertsReplicas"] = "3";
        settings["Gateway:RulesPath"] = rulesDir;
        settings["Gateway:RulesCheckpointInterval"] = "00:00:01";
        GatewayInstance.WriteTo(settings, database);
        settings["Influx:RetryBudget"] = "00:00:01";
        receiver.AddEndpointTo(settings);
        settings["Webhooks:0:Timeout"] = "00:00:05";
        settings["Alerts:GroupInterval"] = "00:00:01";
        settings["Alerts:RetrySchedule:0"] = "00:00:00.500";
        settings["Alerts:RetrySchedule:1"] = "00:00:01";
        var process = new GatewayProcess(GatewayProcess.WriteConfig(dataDir, settings));
        process.Start();
        return (url, process);
    }

    /// <summary>The stream and the buckets, three replicas each, made as users make them: <c>nats init</c>.</summary>
    private async Task InitAsync(NatsCluster cluster)
    {
        var (code, text) = await CommandLineTests.RunAsync("nats", "init", "--url", cluster.Urls, "--replicas", "3");
        output.WriteLine(text.Trim());
        Assert.True(code == 0, $"nats init --url {cluster.Urls} --replicas 3 exited with {code}: {text}");
    }

    private enum EpisodeKind
    {
        /// <summary>Fires and resolves before the gateway is killed.</summary>
        Before,

        /// <summary>Fires before the gateway is killed, resolves long after the takeover (on the new owner for the dead one's partitions).</summary>
        Across,

        /// <summary>Fires and resolves after the node is killed.</summary>
        After,

        /// <summary>The <c>for:</c> rule: pending from tick 12, so pending when the gateway dies at tick 24; fires 15 s later.</summary>
        Held,
    }

    /// <summary>A device of the run: its partition, and the ticks during which its CO2 is high (one episode).</summary>
    private sealed record Plan(string Id, int Partition, EpisodeKind Kind, int HighFrom, int HighUntil)
    {
        public bool Held => Kind == EpisodeKind.Held;

        public string Building => Held ? "annex" : "hq";

        public int Co2At(int tick) => tick >= HighFrom && tick < HighUntil ? 1500 : 600;

        /// <summary>Per partition: one device of each kind, with the device id (the token the mapping hashes) picked to land there.</summary>
        public static List<Plan> For(string run, int partitions)
        {
            var plans = new List<Plan>();
            var n = 0;
            for (var p = 0; p < partitions; p++)
            {
                foreach (var kind in Enum.GetValues<EpisodeKind>())
                {
                    string id;
                    do
                    {
                        id = $"{run}-{n++:D3}";
                    }
                    while (NatsCluster.PartitionOf(id, partitions) != p);

                    var (from, until) = kind switch
                    {
                        EpisodeKind.Before => (4, 16),
                        EpisodeKind.Across => (8 + p, 76),
                        EpisodeKind.After => (60, 84),
                        _ => (12, 84),
                    };
                    plans.Add(new Plan(id, p, kind, from, until));
                }
            }

            return plans;
        }
    }

    private static class Webhooks
    {
        public static int DistinctIds(WebhookReceiver receiver, string device, string status) =>
            Matching(receiver, device, status).Select(m => m.Id).Distinct(StringComparer.Ordinal).Count();

        /// <summary>When the transition happened, as the gateway that sent it says (<c>changedAt</c>).</summary>
        public static DateTimeOffset? ChangedAt(WebhookReceiver receiver, string device, string status) =>
            Matching(receiver, device, status).Select(m => (DateTimeOffset?)m.ChangedAt).FirstOrDefault();

        private static IEnumerable<(string Id, DateTimeOffset ChangedAt)> Matching(WebhookReceiver receiver, string device, string status) =>
            receiver.Received.SelectMany(r => r.Json.GetProperty("alerts").EnumerateArray()
                .Where(a => a.GetProperty("device").GetString() == device && a.GetProperty("status").GetString() == status)
                .Select(a => (r.Headers["webhook-id"], a.GetProperty("changedAt").GetDateTimeOffset())));
    }
}
