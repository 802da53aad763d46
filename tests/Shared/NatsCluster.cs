using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SmartCity.IoT.Testing;

/// <summary>
/// Three real nats-server processes (Debian's) clustered on loopback, started by the test itself so it can kill a node.
/// Each node has JetStream, an MQTT listener and the partition mapping the README shows, adapted to the IES-300 topic
/// layout: <c>buildings/{building}/floors/{floor}/env/{device}/telemetry</c> (subject
/// <c>buildings.*.floors.*.env.*.*</c>) goes to <c>p.&lt;n&gt;.buildings...</c>, n from the device-id token. A caller may
/// give its own <c>mappings</c> block instead (the one <c>nats mappings</c> writes, say).
/// </summary>
internal sealed class NatsCluster : IAsyncDisposable
{
    public const string Binary = "/usr/sbin/nats-server";

    public const string ClusterName = "smartcity-test";

    private readonly TempDir _dir = new("smartcity-nats-cluster");
    private readonly Node[] _nodes;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(3) };

    private NatsCluster(int size, int partitions, string? mappings)
    {
        Partitions = partitions;
        _nodes = Enumerable.Range(0, size).Select(i => new Node($"n{i}", FreePort.Next(), FreePort.Next(), FreePort.Next(), FreePort.Next())).ToArray();
        var routes = string.Join(", ", _nodes.Select(n => $"nats-route://127.0.0.1:{n.RoutePort}"));
        foreach (var node in _nodes)
        {
            var config = _dir.Sub(node.Name + ".conf");
            var mappingBlock = mappings ?? $$$"""
                mappings = {
                  "buildings.*.floors.*.env.*.*": "p.{{partition({{{partitions}}},3)}}.buildings.{{wildcard(1)}}.floors.{{wildcard(2)}}.env.{{wildcard(3)}}.{{wildcard(4)}}"
                }
                """;
            File.WriteAllText(config, $$$"""
                server_name: {{{node.Name}}}
                listen: 127.0.0.1:{{{node.Port}}}
                http: 127.0.0.1:{{{node.MonitorPort}}}
                jetstream { store_dir: "{{{_dir.Sub(node.Name)}}}" }
                mqtt { listen: 127.0.0.1:{{{node.MqttPort}}} }
                cluster {
                  name: {{{ClusterName}}}
                  listen: 127.0.0.1:{{{node.RoutePort}}}
                  routes: [ {{{routes}}} ]
                }
                {{{mappingBlock}}}
                """);
            node.Process = new ServerProcess(Binary, ["-c", config]);
        }
    }

    public int Partitions { get; }

    public int Count => _nodes.Length;

    public IReadOnlyList<string> Names => _nodes.Select(n => n.Name).ToArray();

    /// <summary>The NATS URL of one node.</summary>
    public string Url(int node) => $"nats://127.0.0.1:{_nodes[node].Port}";

    /// <summary>Every node's URL, comma-separated, as a client that may reach any of them is given them.</summary>
    public string Urls => string.Join(",", _nodes.Select((_, i) => Url(i)));

    public int MqttPort(int node) => _nodes[node].MqttPort;

    public int IndexOf(string serverName) => Array.FindIndex(_nodes, n => n.Name == serverName);

    public bool IsRunning(int node) => _nodes[node].Process!.IsRunning;

    /// <summary>Every node's log, for failure messages.</summary>
    public string Output => string.Join("\n", _nodes.Select(n => $"--- {n.Name}\n{n.Process!.Output}"));

    /// <summary>
    /// Starts the nodes and waits until the routes are up and JetStream has a meta leader. <paramref name="mappings"/>:
    /// the account's whole <c>mappings = { ... }</c> block, written for <paramref name="partitions"/>; null: the IES-300 one.
    /// </summary>
    public static async Task<NatsCluster> StartAsync(int size = 3, int partitions = 4, string? mappings = null)
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException($"nats-server is not installed at {Binary}: apt-get install nats-server (./test.sh installs it).");
        }

        var cluster = new NatsCluster(size, partitions, mappings);
        try
        {
            foreach (var node in cluster._nodes)
            {
                node.Process!.Start();
            }

            await cluster.WaitFormedAsync(TimeSpan.FromSeconds(60));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>SIGKILL of one node: no goodbye to its routes or clients.</summary>
    public void Kill(int node) => _nodes[node].Process!.Kill();

    /// <summary>
    /// The server name of the JetStream leader of <paramref name="stream"/> (in the global account), as the live nodes
    /// report it; null while none is elected.
    /// </summary>
    public async Task<string?> StreamLeaderAsync(string stream)
    {
        foreach (var node in _nodes.Where(n => n.Process!.IsRunning))
        {
            try
            {
                using var doc = JsonDocument.Parse(await _http.GetStringAsync($"{node.Monitor}/jsz?accounts=true&streams=true"));
                if (!doc.RootElement.TryGetProperty("account_details", out var accounts))
                {
                    continue;
                }

                foreach (var account in accounts.EnumerateArray())
                {
                    if (!account.TryGetProperty("stream_detail", out var streams))
                    {
                        continue;
                    }

                    foreach (var s in streams.EnumerateArray())
                    {
                        if (s.GetProperty("name").GetString() == stream && s.TryGetProperty("cluster", out var c) && c.TryGetProperty("leader", out var leader) && leader.GetString() is { Length: > 0 } name)
                        {
                            return name;
                        }
                    }
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
            {
                // A node that is starting or dying; another one answers.
            }
        }

        return null;
    }

    /// <summary>The server name of the leader of consumer <paramref name="consumer"/> on <paramref name="stream"/>, as the live nodes report it; null while none is elected.</summary>
    public async Task<string?> ConsumerLeaderAsync(string stream, string consumer)
    {
        foreach (var node in _nodes.Where(n => n.Process!.IsRunning))
        {
            try
            {
                using var doc = JsonDocument.Parse(await _http.GetStringAsync($"{node.Monitor}/jsz?accounts=true&streams=true&consumers=true"));
                var leaders = doc.RootElement.TryGetProperty("account_details", out var accounts)
                    ? accounts.EnumerateArray()
                        .SelectMany(a => a.TryGetProperty("stream_detail", out var streams) ? streams.EnumerateArray() : Enumerable.Empty<JsonElement>())
                        .Where(s => s.GetProperty("name").GetString() == stream)
                        .SelectMany(s => s.TryGetProperty("consumer_detail", out var consumers) ? consumers.EnumerateArray() : Enumerable.Empty<JsonElement>())
                        .Where(c => c.GetProperty("name").GetString() == consumer && c.TryGetProperty("cluster", out var cl) && cl.TryGetProperty("leader", out _))
                        .Select(c => c.GetProperty("cluster").GetProperty("leader").GetString())
                    : [];
                if (leaders.FirstOrDefault(l => !string.IsNullOrEmpty(l)) is { } leader)
                {
                    return leader;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
            {
                // A node that is starting or dying; another one answers.
            }
        }

        return null;
    }

    /// <summary>nats-server's <c>partition(n, k)</c> of one token: FNV-1a (32 bit) of its bytes, mod n.</summary>
    public static int PartitionOf(string token, int partitions)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(token))
        {
            hash = (hash ^ b) * 16777619u;
        }

        return (int)(hash % (uint)partitions);
    }

    private async Task WaitFormedAsync(TimeSpan timeout)
    {
        var missing = "";
        await Eventually.UntilAsync(
            async () =>
            {
                var dead = _nodes.FirstOrDefault(n => !n.Process!.IsRunning);
                if (dead is not null)
                {
                    Assert.Fail($"nats-server {dead.Name} exited while the cluster formed:\n{Output}");
                }

                missing = await FormationAsync();
                return missing.Length == 0;
            },
            timeout,
            () => $"the {_nodes.Length}-node NATS cluster to form: {missing}\n{Output}");
    }

    /// <summary>What is still missing for a formed cluster; empty when every node listens, routes to all others and knows the meta leader.</summary>
    private async Task<string> FormationAsync()
    {
        foreach (var node in _nodes)
        {
            if (!FreePort.Listens(node.Port) || !FreePort.Listens(node.MqttPort))
            {
                return $"{node.Name} does not listen yet";
            }

            try
            {
                using var routez = JsonDocument.Parse(await _http.GetStringAsync($"{node.Monitor}/routez"));
                var routes = routez.RootElement.GetProperty("num_routes").GetInt32();
                if (routes < _nodes.Length - 1)
                {
                    return $"{node.Name} has {routes} of {_nodes.Length - 1} routes";
                }

                using var jsz = JsonDocument.Parse(await _http.GetStringAsync($"{node.Monitor}/jsz"));
                if (!jsz.RootElement.TryGetProperty("meta_cluster", out var meta) || !meta.TryGetProperty("leader", out var leader) || leader.GetString() is not { Length: > 0 })
                {
                    return $"{node.Name} knows no JetStream meta leader";
                }

                using var health = await _http.GetAsync($"{node.Monitor}/healthz");
                if (!health.IsSuccessStatusCode)
                {
                    return $"{node.Name} /healthz answers {(int)health.StatusCode}: {await health.Content.ReadAsStringAsync()}";
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException)
            {
                return $"{node.Name} monitoring: {ex.Message}";
            }
        }

        return "";
    }

    public ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            node.Process?.Dispose();
        }

        _http.Dispose();
        _dir.Dispose();
        return ValueTask.CompletedTask;
    }

    private sealed class Node(string name, int port, int mqttPort, int routePort, int monitorPort)
    {
        public string Name { get; } = name;

        public int Port { get; } = port;

        public int MqttPort { get; } = mqttPort;

        public int RoutePort { get; } = routePort;

        public int MonitorPort { get; } = monitorPort;

        public string Monitor => string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{MonitorPort}");

        public ServerProcess? Process { get; set; }
    }
}
