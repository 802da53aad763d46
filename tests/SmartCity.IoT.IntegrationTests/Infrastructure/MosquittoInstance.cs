using SmartCity.IoT.Testing;

namespace SmartCity.IoT.IntegrationTests.Infrastructure;

/// <summary>
/// A Mosquitto of the test's own (so it can be restarted), persistent, on a free loopback port.
/// <c>user</c> keeps it from dropping root to the <c>mosquitto</c> user, which could not write its persistence file in our
/// temp folder: the sessions (and queued messages) would then silently not survive the restart.
/// </summary>
internal sealed class MosquittoInstance : IDisposable
{
    private readonly string _dir;
    private readonly ServerProcess _process;

    public MosquittoInstance()
    {
        Port = FreePort.Next();
        _dir = Directory.CreateTempSubdirectory("smartcity-mosquitto-").FullName;
        var config = Path.Combine(_dir, "mosquitto.conf");
        File.WriteAllText(config, $"""
            listener {Port} 127.0.0.1
            allow_anonymous true
            persistence true
            user {Environment.UserName}
            persistence_location {_dir}/
            autosave_interval 1
            max_inflight_messages 0
            max_queued_messages 1000000
            """);
        _process = new ServerProcess(TestEnvironment.Mosquitto, ["-c", config]);
    }

    public int Port { get; }

    public string Output => _process.Output;

    public async Task StartAsync()
    {
        _process.Start();
        await Eventually.WaitAsync(() => Task.FromResult(FreePort.Listens(Port)), ok => ok, TimeSpan.FromSeconds(10), $"mosquitto on port {Port}");
    }

    /// <summary>SIGTERM: Mosquitto saves its persistence file (sessions, queued messages) on the way down.</summary>
    public void Stop() => _process.Stop(TimeSpan.FromSeconds(10));

    public void Dispose()
    {
        _process.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean.
        }
    }
}
