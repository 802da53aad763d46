using SmartCity.IoT.Testing;

namespace SmartCity.IoT.Influx.Tests.Fixtures;

/// <summary>A real victoria-metrics on a free loopback port (accepts /api/v2/write).</summary>
public sealed class VictoriaMetricsServer : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"vm-test-{Guid.NewGuid():N}");
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private ServerProcess? _process;

    public int Port { get; } = FreePort.Next();

    public string Url => $"http://127.0.0.1:{Port}";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        _process = new ServerProcess(
            TestEnvironment.VictoriaMetrics,
            [$"-storageDataPath={_dir}", $"-httpListenAddr=127.0.0.1:{Port}", "-retentionPeriod=100y", "-search.latencyOffset=0s", "-loggerLevel=ERROR"]);
        await _process.StartAndWaitHealthyAsync(_http, $"{Url}/health", status => status is >= 200 and < 300, "victoria-metrics");
    }

    /// <summary>Flushes and exports the series matching <paramref name="match"/> as JSON lines.</summary>
    public async Task<string[]> ExportAsync(string match)
    {
        using (var flush = await _http.PostAsync($"{Url}/internal/force_flush", null))
        {
            flush.EnsureSuccessStatusCode();
        }

        var text = await _http.GetStringAsync($"{Url}/api/v1/export?match[]={Uri.EscapeDataString(match)}");
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    public Task DisposeAsync()
    {
        _process?.Dispose(); // kills it first
        _http.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }

        return Task.CompletedTask;
    }
}
