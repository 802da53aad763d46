using SmartCity.IoT.Testing;

namespace SmartCity.IoT.IntegrationTests.Infrastructure;

/// <summary>An InfluxDB 1.6.7 of the test's own (so it can be stopped and started), on a free loopback port.</summary>
internal sealed class InfluxInstance : IDisposable
{
    private readonly string _dir;
    private readonly ServerProcess _process;

    public InfluxInstance()
    {
        Port = FreePort.Next();
        _dir = Directory.CreateTempSubdirectory("smartcity-influx-").FullName;
        var config = Path.Combine(_dir, "influxdb.conf");
        File.WriteAllText(config, $"""
            reporting-disabled = true
            bind-address = "127.0.0.1:{FreePort.Next()}"
            [meta]
              dir = "{_dir}/meta"
            [data]
              dir = "{_dir}/data"
              wal-dir = "{_dir}/wal"
              query-log-enabled = false
            [http]
              bind-address = "127.0.0.1:{Port}"
              log-enabled = false
            [monitor]
              store-enabled = false
            """);
        _process = new ServerProcess(TestEnvironment.Influxd, ["-config", config]);
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    public async Task StartAsync()
    {
        _process.Start();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await Eventually.WaitAsync(async () => (int)(await http.GetAsync(Url + "/ping")).StatusCode, s => s == 204, TimeSpan.FromSeconds(30), "influxd /ping");
    }

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
