using System.Text.Json;
using SmartCity.IoT.Devices;
using SmartCity.IoT.Devices.Simulation;
using SmartCity.IoT.Gateway.Simulation;
using SmartCity.IoT.IntegrationTests.Infrastructure;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.IntegrationTests;

/// <summary>deploy/grafana/smartcity.json: every panel's and variable's InfluxQL, run against InfluxDB 1.6.7 holding simulator data, returns series.</summary>
public sealed class GrafanaDashboardTests
{
    private const string FastRule = """
        rules:
          - name: it_dashboard_co2
            match: { family: environment }
            expr: co2 > 1000
            clear: co2 < 900
            severity: warning
        """;

    [Fact]
    public async Task Every_panel_query_returns_series_from_simulator_data()
    {
        using var influx = new InfluxHttp(TestEnvironment.InfluxUrl);
        var database = InfluxHttp.NewDatabaseName("grafana"); // created by the gateway (Influx:CreateDatabase)
        using var rules = new TempDir("smartcity-grafana-rules");
        await File.WriteAllTextAsync(Path.Combine(rules.Path, "it.yaml"), FastRule);
        await using var gateway = await GatewayInstance.StartAsync(s =>
        {
            s["Gateway:RulesPath"] = rules.Path;
            s["Influx:Url"] = TestEnvironment.InfluxUrl;
            s["Influx:Api"] = "v1";
            s["Influx:Database"] = database;
        });

        var catalog = gateway.Get<DeviceCatalog>();
        // Every device in an anomaly episode from the first reading (episodes last minutes; this run lasts seconds).
        var simulator = new DeviceSimulator(catalog, new SimulatorOptions { DevicesPerProfile = 2, AnomalyRate = 1, Seed = 7 }, TimeProvider.System);
        var sent = await SimulationPublisher.RunAsync(simulator, new PublishSettings("127.0.0.1", TestEnvironment.MosquittoPort, 1, 0, 1500, null, "it-grafana-" + Guid.NewGuid().ToString("N")[..6]),
            TimeProvider.System, CancellationToken.None);
        Assert.Equal(1500, sent);
        await Eventually.WaitAsync(() => influx.QueryAsync(database, "SELECT count(\"fingerprint\") FROM \"alerts\""), r => r.Count > 0, TimeSpan.FromSeconds(30), "alert transitions in InfluxDB");
        await Eventually.WaitAsync(() => influx.CountAsync(database, "environment", "temperature"), n => n > 50, TimeSpan.FromSeconds(30), "environment readings in InfluxDB");

        using var dashboard = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "deploy", "grafana", "smartcity.json")));
        var queries = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray().Select(t => (Where: p.GetProperty("title").GetString()!, Query: t.GetProperty("query").GetString()!)))
            .Concat(dashboard.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray()
                .Select(v => (Where: "variable " + v.GetProperty("name").GetString(), Query: v.GetProperty("query").GetString()!)))
            .ToList();
        Assert.True(queries.Count >= 6, "panels and variables");
        foreach (var (where, query) in queries)
        {
            // Grafana's macros as Grafana expands them for "last hour, all buildings and floors".
            var sql = query.Replace("$timeFilter", "time > now() - 1h", StringComparison.Ordinal)
                .Replace("$__interval", "1m", StringComparison.Ordinal)
                .Replace("/^$building$/", "/.*/", StringComparison.Ordinal)
                .Replace("/^$floor$/", "/.*/", StringComparison.Ordinal);
            Assert.DoesNotContain("$", sql, StringComparison.Ordinal);
            var rows = await influx.QueryAsync(database, sql);
            Assert.True(rows.Count > 0, $"{where}: no series for {sql}");
        }
    }
}
