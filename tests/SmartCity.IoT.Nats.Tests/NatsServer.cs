using SmartCity.IoT.Testing;

namespace SmartCity.IoT.Nats.Tests;

/// <summary>
/// A real nats-server (Debian's) on loopback with JetStream, an MQTT listener, and the partition mapping the README
/// shows: <c>buildings.*.*.*.*</c> goes to <c>p.&lt;n&gt;.buildings...</c>, n from the device-id token (the third).
/// </summary>
internal sealed class NatsServer : IAsyncDisposable
{
    public const int Partitions = 4;

    private readonly TempDir _dir = new("smartcity-nats");
    private readonly ServerProcess _process;

    private NatsServer()
    {
        Port = FreePort.Next();
        MqttPort = FreePort.Next();
        File.WriteAllText(_dir.Sub("nats.conf"), $$$"""
            server_name: smartcity-nats-test
            listen: 127.0.0.1:{{{Port}}}
            jetstream { store_dir: "{{{_dir.Sub("js")}}}" }
            mqtt { listen: 127.0.0.1:{{{MqttPort}}} }
            mappings = {
              "buildings.*.*.*.*": "p.{{partition({{{Partitions}}},3)}}.buildings.{{wildcard(1)}}.{{wildcard(2)}}.{{wildcard(3)}}.{{wildcard(4)}}"
            }
            """);
        _process = new ServerProcess("/usr/sbin/nats-server", ["-c", _dir.Sub("nats.conf")]);
    }

    public int Port { get; }

    public int MqttPort { get; }

    public string Url => $"nats://127.0.0.1:{Port}";

    public string Output => _process.Output;

    public static async Task<NatsServer> StartAsync()
    {
        if (!File.Exists("/usr/sbin/nats-server"))
        {
            throw new InvalidOperationException("nats-server is not installed: apt-get install nats-server (./test.sh installs it).");
        }

        var server = new NatsServer();
        server._process.Start();
        await Eventually.UntilAsync(
            async () =>
            {
                if (!server._process.IsRunning)
                {
                    Assert.Fail($"nats-server exited while starting:\n{server.Output}");
                }

                return FreePort.Listens(server.MqttPort) && FreePort.Listens(server.Port);
            },
            TimeSpan.FromSeconds(20),
            () => $"nats-server to listen on {server.Port} and MQTT {server.MqttPort}:\n{server.Output}",
            interval: TimeSpan.FromMilliseconds(50));

        return server;
    }

    public ValueTask DisposeAsync()
    {
        _process.Dispose();
        _dir.Dispose();
        return ValueTask.CompletedTask;
    }
}
