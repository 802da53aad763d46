using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using SmartCity.IoT.Core.Pipeline;
using SmartCity.IoT.Gateway.Hosting;
using SmartCity.IoT.Gateway.HttpIngest;
using SmartCity.IoT.Gateway.Simulation;
using SmartCity.IoT.Influx;
using SmartCity.IoT.Mqtt;
using SmartCity.IoT.Nats;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.Gateway.Tests.Hosting;

/// <summary>
/// Which sources run for which configuration, and that the status API, probes and metrics answer with each: the demo
/// default (embedded MQTT broker), NATS only, MQTT and NATS, HTTP ingest only. The servers named are not there (nothing
/// listens on their ports): the point is the gateway's own view of them.
/// </summary>
public sealed class SourceCombinationTests : IDisposable
{
    private readonly TempDir _dir = new("smartcity-sources");

    [Fact]
    public async Task Nothing_configured_is_the_demo_the_embedded_broker_the_mqtt_source_and_the_simulator()
    {
        await using var app = GatewayHost.Build(null, Settings());
        var sources = app.Services.GetServices<IMessageSource>().ToArray();
        Assert.IsType<MqttIngestClient>(Assert.Single(sources));
        Assert.True(app.Services.GetRequiredService<IOptions<MqttOptions>>().Value.UsesEmbeddedBroker);
        Assert.True(app.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<DemoSimulatorService>().Single().IsEnabled);
        Assert.True(app.Services.GetRequiredService<IOptions<SpoolOptions>>().Value.Enabled);
    }

    [Fact]
    public async Task Nats_only_runs_the_nats_source_alone_without_spool_and_status_probes_and_metrics_answer()
    {
        var settings = Settings(("Nats:Url", $"nats://127.0.0.1:{FreePort.Next()}"), ("Nats:Partitions", "4"), ("Nats:Instances", "2"), ("Nats:Instance", "1"), ("Nats:InstanceId", "gw-1"));
        await using var app = await StartAsync(settings);
        var source = Assert.Single(app.Services.GetServices<IMessageSource>());
        Assert.IsType<NatsJetStreamSource>(source);
        Assert.Null(app.Services.GetService<MqttSources>());
        Assert.False(app.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<DemoSimulatorService>().Single().IsEnabled);
        Assert.False(app.Services.GetRequiredService<IOptions<SpoolOptions>>().Value.Enabled);

        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        var status = await StatusAsync(http);
        Assert.Equal(JsonValueKind.Null, status.GetProperty("broker").ValueKind);
        Assert.Equal("nats", Assert.Single(status.GetProperty("sources").EnumerateArray()).GetProperty("name").GetString());
        var instance = status.GetProperty("instance");
        Assert.Equal("gw-1", instance.GetProperty("id").GetString());
        Assert.Equal("Static", instance.GetProperty("ownership").GetString());
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        var ready = await http.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("nats", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The server is unreachable, so no partition's rule state can be restored: none is consumed, none shown as owned
        // (a partition is owned from when its state is restored until it is released).
        Assert.Equal(0, (await StatusAsync(http)).GetProperty("instance").GetProperty("partitions").GetArrayLength());
        var metrics = await http.GetStringAsync("/metrics");
        Assert.DoesNotContain(metrics.Split('\n'), l => l.StartsWith("smartcity_iot_nats_partition_owned{", StringComparison.Ordinal) && !l.EndsWith(" 0", StringComparison.Ordinal));
        Assert.Contains("Instance gw-1", await http.GetStringAsync("/flow"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mqtt_and_nats_run_both_sources_and_the_status_shows_the_broker_and_the_instance()
    {
        var settings = Settings(("Nats:Url", $"nats://127.0.0.1:{FreePort.Next()}"), ("Mqtt:Host", "127.0.0.1"), ("Mqtt:Port", FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture)));
        await using var app = await StartAsync(settings);
        var sources = app.Services.GetServices<IMessageSource>().ToArray();
        Assert.Equal(2, sources.Length);
        Assert.Contains(sources, s => s is MqttIngestClient);
        Assert.Contains(sources, s => s is NatsJetStreamSource);

        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        var status = await StatusAsync(http);
        Assert.False(status.GetProperty("broker").GetProperty("embedded").GetBoolean());
        Assert.Equal(2, status.GetProperty("sources").GetArrayLength());
        Assert.Equal(JsonValueKind.Object, status.GetProperty("instance").ValueKind);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        Assert.Contains("smartcity_iot_mqtt_connected", await http.GetStringAsync("/metrics"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_ingest_only_runs_no_mqtt_and_no_simulator_and_is_ready()
    {
        var token = _dir.Sub("tts.token");
        await File.WriteAllTextAsync(token, "a-long-enough-ingest-token-for-the-tests-0123456789");
        var settings = Settings(("HttpIngest:Sources:0:Name", "tts"), ("HttpIngest:Sources:0:Format", "tts"), ("HttpIngest:Sources:0:TokenFile", token));
        await using var app = await StartAsync(settings);
        Assert.IsType<HttpIngestSource>(Assert.Single(app.Services.GetServices<IMessageSource>()));
        Assert.False(app.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<DemoSimulatorService>().Single().IsEnabled);

        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        var status = await StatusAsync(http);
        Assert.Equal(JsonValueKind.Null, status.GetProperty("broker").ValueKind);
        Assert.Equal(JsonValueKind.Null, status.GetProperty("instance").ValueKind);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/")).StatusCode);
        Assert.Contains("smartcity_iot_", await http.GetStringAsync("/metrics"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Spool:Enabled", "true", "Spool:Enabled is true while Nats:Url is set")]
    [InlineData("Influx:Url", "", "Influx:Url is empty while Nats:Url is set")]
    [InlineData("Nats:Ownership", "Leases", "Nats:Ownership is Leases with Nats:Partitions 0")]
    public async Task Nats_mode_refuses_what_it_cannot_keep_naming_the_key(string key, string value, string message)
    {
        var settings = Settings(("Nats:Url", "nats://127.0.0.1:4222"), (key, value));
        await using var app = GatewayHost.Build(null, settings);
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_shared_mqtt_subscription_with_stateful_rules_is_warned_about_once_naming_the_group_and_rules()
    {
        var settings = Settings(("Mqtt:Host", "127.0.0.1"), ("Mqtt:Port", FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture)), ("Mqtt:SharedGroup", "gateways"));
        await using var app = await StartAsync(settings);
        var warnings = app.Services.GetFakeLogCollector().GetSnapshot().Where(r => r.Level == LogLevel.Warning && r.Message.Contains("Mqtt:SharedGroup", StringComparison.Ordinal)).ToArray();
        var warning = Assert.Single(warnings);
        Assert.Contains("gateways (mqtt)", warning.Message, StringComparison.Ordinal);
        Assert.Contains("for:", warning.Message, StringComparison.Ordinal);
        var rules = app.Services.GetRequiredService<SmartCity.IoT.Rules.Engine.RuleEngine>().Rules.Rules;
        var stateful = rules.First(r => r.For > TimeSpan.Zero).Name;
        Assert.Contains(stateful, warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_shared_group_no_warning()
    {
        var settings = Settings(("Mqtt:Host", "127.0.0.1"), ("Mqtt:Port", FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture)));
        await using var app = await StartAsync(settings);
        var logs = app.Services.GetFakeLogCollector().GetSnapshot();
        Assert.Contains(logs, r => r.Message.Contains("Now listening", StringComparison.Ordinal) || r.Category?.Contains("Lifetime", StringComparison.Ordinal) == true);
        Assert.DoesNotContain(logs, r => r.Message.Contains("Mqtt:SharedGroup", StringComparison.Ordinal));
    }

    public void Dispose() => _dir.Dispose();

    private static async Task<WebApplication> StartAsync(Dictionary<string, string?> settings)
    {
        var app = GatewayHost.Build(null, settings, configureServices: s => s.AddLogging(b => b.AddFakeLogging()));
        await app.StartAsync();
        return app;
    }

    private static async Task<JsonElement> StatusAsync(HttpClient http)
    {
        using var doc = JsonDocument.Parse(await http.GetStringAsync("/api/status"));
        return doc.RootElement.Clone();
    }

    private Dictionary<string, string?> Settings(params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Http:Urls"] = "http://127.0.0.1:0",
            ["Gateway:DevicesPath"] = RepoPaths.Devices,
            ["Gateway:RulesPath"] = RepoPaths.Rules,
            ["Gateway:RulesCheckpointPath"] = _dir.Sub("rules.checkpoint"),
            ["Influx:Url"] = $"http://127.0.0.1:{FreePort.Next()}",
            ["Spool:Path"] = _dir.Sub("spool"),
            ["Alerts:OutboxPath"] = _dir.Sub("alerts.db"),
            ["DeadLetter:Path"] = _dir.Sub("deadletter"),
            ["Mqtt:EmbeddedPort"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Http:Auth:AnonymousReads"] = "true",
            ["Http:Auth:GeneratedCredentialsPath"] = _dir.Sub("http-operator.secret"),
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return settings;
    }
}
