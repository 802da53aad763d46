using System.Globalization;
using System.Text.Json;

namespace SmartCity.IoT.Testing;

/// <summary>
/// A real influxd 1.6.7 on a free loopback port with its own data directory; <see cref="Stop"/> kills it and
/// <see cref="StartAsync"/> starts it again on the same port and data (for outage tests).
/// </summary>
public sealed class InfluxServer : IAsyncLifetime, IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"influxd-test-{Guid.NewGuid():N}");
    private readonly HttpClient _http;
    private readonly bool _https;
    private ServerProcess? _process;

    public InfluxServer()
        : this(null, null, null)
    {
    }

    /// <summary>With a certificate and key (PEM), it serves HTTPS only; <paramref name="handler"/> is what trusts it.</summary>
    public InfluxServer(string? httpsCertificate, string? httpsKey, HttpMessageHandler? handler)
    {
        _https = httpsCertificate is not null;
        _http = new HttpClient(handler ?? new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(30) };
        var https = _https ? $"https-enabled = true\n  https-certificate = \"{httpsCertificate}\"\n  https-private-key = \"{httpsKey}\"" : "";
        Port = FreePort.Next();
        Directory.CreateDirectory(_dir);
        var rpc = FreePort.Next();
        File.WriteAllText(Path.Combine(_dir, "influxd.conf"), $"""
            reporting-disabled = true
            bind-address = "127.0.0.1:{rpc}"
            [meta]
              dir = "{_dir}/meta"
            [data]
              dir = "{_dir}/data"
              wal-dir = "{_dir}/wal"
              query-log-enabled = false
            [retention]
              enabled = false
            [monitor]
              store-enabled = false
            [http]
              bind-address = "127.0.0.1:{Port}"
              log-enabled = false
              {https}
            [continuous_queries]
              enabled = false
            [logging]
              level = "warn"
            """);
    }

    public int Port { get; }

    public string Url => $"{(_https ? "https" : "http")}://127.0.0.1:{Port}";

    public async Task InitializeAsync() => await StartAsync();

    public Task DisposeAsync()
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        Stop();
        _http.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public async Task StartAsync()
    {
        _process = new ServerProcess(TestEnvironment.Influxd, ["-config", $"{_dir}/influxd.conf"]);
        await _process.StartAndWaitHealthyAsync(_http, $"{Url}/ping", status => status == 204, "influxd");
    }

    /// <summary>Kills the server (like a crash or power loss for the client: no goodbye).</summary>
    public void Stop()
    {
        _process?.Dispose(); // kills it first
        _process = null;
    }

    public async Task CreateDatabaseAsync(string name) => await QueryAsync("", $"CREATE DATABASE \"{name}\"");

    /// <summary>Runs InfluxQL and returns the first series' values (empty if none).</summary>
    public async Task<List<JsonElement[]>> QueryAsync(string db, string q)
    {
        using var content = new FormUrlEncodedContent([new("q", q)]);
        using var response = await _http.PostAsync($"{Url}/query?db={Uri.EscapeDataString(db)}&epoch=ns", content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"query '{q}' failed: {text}");
        using var doc = JsonDocument.Parse(text);
        var result = doc.RootElement.GetProperty("results")[0];
        if (result.TryGetProperty("error", out var error))
        {
            Assert.Fail($"query '{q}' failed: {error}");
        }

        var rows = new List<JsonElement[]>();
        if (result.TryGetProperty("series", out var series))
        {
            foreach (var s in series.EnumerateArray())
            {
                foreach (var v in s.GetProperty("values").EnumerateArray())
                {
                    rows.Add([.. v.EnumerateArray().Select(e => e.Clone())]);
                }
            }
        }

        return rows;
    }

    public async Task<long> CountAsync(string db, string measurement, string field)
    {
        var rows = await QueryAsync(db, $"SELECT count(\"{field}\") FROM \"{measurement}\"");
        return rows.Count == 0 ? 0 : rows[0][1].GetInt64();
    }

    public static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
