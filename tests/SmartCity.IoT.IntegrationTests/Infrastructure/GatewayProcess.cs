using System.Text.Json;
using SmartCity.IoT.Gateway.Hosting;

namespace SmartCity.IoT.IntegrationTests.Infrastructure;

/// <summary>
/// The gateway as a separate process (`run --config FILE`), for tests that SIGKILL it. It runs from the test's own output
/// folder with the test's runtime config and dependency list, which include everything the gateway needs.
/// </summary>
internal sealed class GatewayProcess : IDisposable
{
    private readonly ServerProcess _process;

    /// <param name="environment">Added to the process's environment (secrets, as a deployment would give them).</param>
    public GatewayProcess(string configFile, IDictionary<string, string>? environment = null)
    {
        var dir = AppContext.BaseDirectory;
        var testAssembly = typeof(GatewayProcess).Assembly.GetName().Name!;
        var gatewayDll = typeof(GatewayHost).Assembly.Location;
        _process = new ServerProcess("dotnet", [
            "exec",
            "--runtimeconfig", Path.Combine(dir, testAssembly + ".runtimeconfig.json"),
            "--depsfile", Path.Combine(dir, testAssembly + ".deps.json"),
            gatewayDll, "run", "--config", configFile,
        ], environment: environment);
    }

    public string Output => _process.Output;

    public bool IsRunning => _process.IsRunning;

    public static string WriteConfig(string dataDir, IReadOnlyDictionary<string, string?> settings)
    {
        // Flat "A:B" keys become nested JSON objects, as appsettings.json has them.
        var root = new Dictionary<string, object>();
        foreach (var (key, value) in settings)
        {
            var parts = key.Split(':');
            var node = root;
            for (var i = 0; i < parts.Length - 1; i++)
            {
                if (!node.TryGetValue(parts[i], out var child))
                {
                    child = new Dictionary<string, object>();
                    node[parts[i]] = child;
                }

                node = (Dictionary<string, object>)child;
            }

            node[parts[^1]] = value ?? "";
        }

        var path = Path.Combine(dataDir, "gateway.json");
        File.WriteAllText(path, JsonSerializer.Serialize(root));
        return path;
    }

    public void Start() => _process.Start();

    /// <summary>Waits until the process at <paramref name="baseUrl"/> answers /readyz with 200 (connected, store writable).</summary>
    public static async Task WaitReadyAsync(string baseUrl)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await Eventually.WaitAsync(async () => (int)(await http.GetAsync(baseUrl + "/readyz")).StatusCode, s => s == 200, TimeSpan.FromSeconds(60), "the gateway process to be ready");
    }

    /// <summary>Waits until the process answers /healthz (alive), whether or not its sinks accept writes.</summary>
    public static async Task WaitAliveAsync(string baseUrl)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await Eventually.WaitAsync(async () => (int)(await http.GetAsync(baseUrl + "/healthz")).StatusCode, s => s == 200, TimeSpan.FromSeconds(60), "the gateway process to answer /healthz");
    }

    public void Kill() => _process.Kill();

    public void Stop() => _process.Stop(TimeSpan.FromSeconds(30));

    public void Dispose() => _process.Dispose();
}
