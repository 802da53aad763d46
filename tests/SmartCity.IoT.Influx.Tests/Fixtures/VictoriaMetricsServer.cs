using System.Diagnostics;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.Influx.Tests.Fixtures;

/// <summary>A real victoria-metrics on a free loopback port (accepts /api/v2/write).</summary>
public sealed class VictoriaMetricsServer : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"vm-test-{Guid.NewGuid():N}");
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private Process? _process;

    public int Port { get; } = FreePort.Next();

    public string Url => $"http://127.0.0.1:{Port}";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        var start = new ProcessStartInfo(TestEnvironment.VictoriaMetrics,
            $"-storageDataPath={_dir} -httpListenAddr=127.0.0.1:{Port} -retentionPeriod=100y -search.latencyOffset=0s -loggerLevel=ERROR")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException("victoria-metrics did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var health = await _http.GetAsync($"{Url}/health");
                if (health.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"victoria-metrics on {Url} did not answer /health within 30 s");
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
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process?.Dispose();
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
