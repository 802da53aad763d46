using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using SmartCity.IoT.Gateway.Hosting;
using SmartCity.IoT.Gateway.Status;
using SmartCity.IoT.Mqtt;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.IntegrationTests.Infrastructure;

/// <summary>The whole gateway host, in this process, against the real servers test.sh started; its data lives in a temp folder.</summary>
internal sealed class GatewayInstance : IAsyncDisposable
{
    private GatewayInstance(WebApplication app, string dataDir, bool keepData)
    {
        App = app;
        DataDir = dataDir;
        _keepData = keepData;
    }

    private readonly bool _keepData;

    public WebApplication App { get; }

    public string DataDir { get; }

    public string BaseUrl => App.Urls.First();

    public T Get<T>() where T : notnull => App.Services.GetRequiredService<T>();

    public static Dictionary<string, string?> DefaultSettings(string dataDir, int mqttPort) => new()
    {
        ["Http:Urls"] = "http://127.0.0.1:0",
        ["Mqtt:Host"] = "127.0.0.1",
        ["Mqtt:Port"] = mqttPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Mqtt:ClientId"] = "it-gateway-" + Guid.NewGuid().ToString("N")[..8],
        ["Influx:Url"] = "",
        ["Pipeline:FlushInterval"] = "00:00:00.200",
        ["Spool:Path"] = Path.Combine(dataDir, "spool"),
        ["Alerts:OutboxPath"] = Path.Combine(dataDir, "alerts.db"),
        ["Gateway:DevicesPath"] = RepoPaths.Devices,
        ["Gateway:RulesPath"] = RepoPaths.Rules,
        ["Gateway:RulesCheckpointPath"] = Path.Combine(dataDir, "rules.checkpoint"),
        ["DeadLetter:Path"] = Path.Combine(dataDir, "deadletter"),
        ["Simulator:Enabled"] = "false",
        ["Http:Auth:AnonymousReads"] = "true",
        ["Http:Auth:GeneratedCredentialsPath"] = Path.Combine(dataDir, "http-operator.secret"),
    };

    /// <summary>Points the gateway at the test InfluxDB 1.x (<see cref="TestEnvironment.InfluxUrl"/>) and its database.</summary>
    public static void WriteTo(Dictionary<string, string?> settings, string database)
    {
        settings["Influx:Url"] = TestEnvironment.InfluxUrl;
        settings["Influx:Api"] = "v1";
        settings["Influx:Database"] = database;
    }

    /// <summary>Starts a gateway; with <paramref name="dataDir"/> it reuses (and keeps) that folder, as a restarted gateway would.</summary>
    /// <param name="waitConnected">False for a gateway that is expected not to connect (wrong credentials, say).</param>
    public static async Task<GatewayInstance> StartAsync(Action<Dictionary<string, string?>> configure, TimeProvider? time = null, string? dataDir = null, Action<IServiceCollection>? services = null, bool waitConnected = true)
    {
        var keep = dataDir is not null;
        dataDir ??= Directory.CreateTempSubdirectory("smartcity-it-").FullName;
        var settings = DefaultSettings(dataDir, Testing.TestEnvironment.MosquittoPort);
        configure(settings);
        var app = GatewayHost.Build(configFile: null, overrides: settings, time: time, configureServices: services);
        await app.StartAsync();
        var instance = new GatewayInstance(app, dataDir, keep);
        if (!waitConnected)
        {
            return instance;
        }

        // Connected is not enough: a message published before the broker confirmed the subscriptions is not delivered.
        // A gateway with only other sources (HTTP ingest, NATS) runs no MQTT client: nothing to wait for.
        if (app.Services.GetService<MqttIngestClient>() is null)
        {
            return instance;
        }

        await Eventually.WaitAsync(() => Task.FromResult(instance.Get<MqttIngestClient>() is { IsConnected: true, SubscribedFilters.Count: > 0 }), c => c, TimeSpan.FromSeconds(20), "the gateway to connect to the broker and subscribe");
        return instance;
    }

    public Task<StatusSnapshot> StatusAsync() => Get<StatusSnapshotBuilder>().BuildAsync();

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        if (_keepData)
        {
            return;
        }

        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // A file still open on a slow shutdown; the temp folder is cleaned by the OS.
        }
    }
}
