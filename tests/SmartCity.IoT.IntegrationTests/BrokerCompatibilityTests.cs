using System.Globalization;
using System.Text.RegularExpressions;
using MQTTnet.Formatter;
using MQTTnet.Server;
using SmartCity.IoT.Devices;
using SmartCity.IoT.IntegrationTests.Infrastructure;
using SmartCity.IoT.Testing;
using Xunit.Abstractions;

namespace SmartCity.IoT.IntegrationTests;

/// <summary>
/// Issue 19: a QoS 1 stream through each broker users run, with the gateway SIGKILLed mid-stream and restarted, and every
/// reading found in InfluxDB afterwards. Each of these brokers keeps the persistent session (Mosquitto and the MQTTnet
/// server in memory, nats-server in JetStream, RabbitMQ in a durable queue), so nothing may be lost. `auto` must choose
/// MQTT 5 for Mosquitto and MQTTnet and 3.1.1 for nats-server and RabbitMQ, within 2 s, in one log line.
/// </summary>
public sealed partial class BrokerCompatibilityTests(ITestOutputHelper output)
{
    private const int Messages = 600;

    [Theory]
    [InlineData("mosquitto", "auto", "5")]
    [InlineData("mosquitto", "3.1.1", "3.1.1")]
    [InlineData("nats", "auto", "3.1.1")]
    [InlineData("rabbitmq", "auto", "3.1.1")]
    [InlineData("mqttnet", "auto", "5")]
    public async Task A_qos1_stream_survives_a_SIGKILL_of_the_gateway(string broker, string setting, string expectedVersion)
    {
        await using var mqttnet = broker == "mqttnet" ? await StartMqttNetServerAsync() : null;
        var port = broker switch
        {
            "mosquitto" => TestEnvironment.MosquittoPort,
            "nats" => RequiredPort("SMARTCITY_TEST_NATS_MQTT_PORT", "nats-server's MQTT listener"),
            "rabbitmq" => RequiredPort("SMARTCITY_TEST_RABBITMQ_MQTT_PORT", "RabbitMQ's MQTT plugin"),
            _ => mqttnet!.Port,
        };

        using var influx = new InfluxHttp(TestEnvironment.InfluxUrl);
        var database = InfluxHttp.NewDatabaseName("broker_" + broker);
        await influx.CreateDatabaseAsync(database);
        var dataDir = Directory.CreateTempSubdirectory($"smartcity-{broker}-").FullName;
        var settings = GatewayInstance.DefaultSettings(dataDir, port);
        settings["Mqtt:ClientId"] = $"compat-{broker}-{Guid.NewGuid():N}"[..24]; // stable across the restart: the session survives
        settings["Mqtt:ProtocolVersion"] = setting;
        settings["Mqtt:SessionExpiry"] = "00:10:00";
        settings["Influx:Url"] = TestEnvironment.InfluxUrl;
        settings["Influx:Api"] = "v1";
        settings["Influx:Database"] = database;
        settings["Pipeline:BatchSize"] = "100";
        settings["Http:Urls"] = $"http://127.0.0.1:{FreePort.Next()}";
        var config = GatewayProcess.WriteConfig(dataDir, settings);

        var catalog = DeviceCatalog.Load(RepoPaths.Devices);
        var messages = SampleTraffic.Build(catalog, Messages, broker[..3] + Guid.NewGuid().ToString("N")[..4], broker is "nats" or "rabbitmq" ? SampleTraffic.DotFreeTopics(catalog) : null);
        using var gateway = new GatewayProcess(config);
        gateway.Start();
        await GatewayProcess.WaitReadyAsync(settings["Http:Urls"]!);
        output.WriteLine(string.Join('\n', gateway.Output.Split('\n').Where(l => l.Contains("MqttIngestClient", StringComparison.Ordinal))));
        AssertChoice(gateway.Output, setting, expectedVersion);

        var killAt = Random.Shared.Next(150, Messages - 150);
        output.WriteLine($"{broker} ({setting}): kill point {killAt}");
        var publisherVersion = expectedVersion == "5" ? MqttProtocolVersion.V500 : MqttProtocolVersion.V311;
        await using (var publisher = await TestPublisher.ConnectAsync(port, publisherVersion))
        {
            await SampleTraffic.PublishSteadilyAsync(publisher, messages, i =>
            {
                if (i == killAt)
                {
                    gateway.Kill();
                    output.WriteLine($"killed the gateway after publishing {i + 1} messages");
                    gateway.Start();
                }

                return Task.CompletedTask;
            });
        }

        try
        {
            await influx.AssertAllStoredAsync(database, messages, TimeSpan.FromSeconds(90), $"through {broker} after a SIGKILL");
        }
        catch (Exception)
        {
            output.WriteLine(gateway.Output);
            throw;
        }
        finally
        {
            gateway.Stop();
        }
    }

    [Theory]
    [InlineData("nats", "this broker (127.0.0.1:{port}) speaks MQTT 3.1.1 only")]
    [InlineData("rabbitmq", "closed the connection in answer to an MQTT 5 connect, as MQTT 3.1.1-only brokers such as RabbitMQ do: set Mqtt:ProtocolVersion to auto or 3.1.1")]
    public async Task Forcing_MQTT_5_on_a_3_1_1_broker_says_which_setting_to_change_once(string broker, string expected)
    {
        var port = broker == "nats"
            ? RequiredPort("SMARTCITY_TEST_NATS_MQTT_PORT", "nats-server's MQTT listener")
            : RequiredPort("SMARTCITY_TEST_RABBITMQ_MQTT_PORT", "RabbitMQ's MQTT plugin");
        var dataDir = Directory.CreateTempSubdirectory($"smartcity-v5-{broker}-").FullName;
        var settings = GatewayInstance.DefaultSettings(dataDir, port);
        settings["Mqtt:ProtocolVersion"] = "5";
        settings["Mqtt:ReconnectMinDelay"] = "00:00:00.100";
        settings["Mqtt:ReconnectMaxDelay"] = "00:00:00.200";
        settings["Http:Urls"] = $"http://127.0.0.1:{FreePort.Next()}";
        using var gateway = new GatewayProcess(GatewayProcess.WriteConfig(dataDir, settings));
        gateway.Start();
        try
        {
            var text = expected.Replace("{port}", port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
            // Several failed attempts (every 0.1-0.2 s), and the message still appears once.
            using var http = new HttpClient { BaseAddress = new Uri(settings["Http:Urls"]!) };
            await Eventually.WaitAsync(() => FailedConnectsAsync(http), n => n >= 5, TimeSpan.FromSeconds(30), "five failed connects");
            Assert.Equal(1, Count(gateway.Output, text));
            Assert.DoesNotContain("   at ", gateway.Output, StringComparison.Ordinal); // no stack trace
        }
        catch (Exception)
        {
            output.WriteLine(gateway.Output);
            throw;
        }
        finally
        {
            gateway.Stop();
        }
    }

    private static void AssertChoice(string log, string setting, string expectedVersion)
    {
        var choices = AutoChoice().Matches(log);
        if (setting != "auto")
        {
            Assert.Empty(choices);
            Assert.Contains($"with MQTT {expectedVersion}", log, StringComparison.Ordinal);
            return;
        }

        var choice = Assert.Single(choices);
        Assert.Equal(expectedVersion, choice.Groups["version"].Value);
        Assert.True(int.Parse(choice.Groups["ms"].Value, CultureInfo.InvariantCulture) < 2000, $"auto took {choice.Groups["ms"].Value} ms: {choice.Value}");
    }

    private static async Task<long> FailedConnectsAsync(HttpClient http)
    {
        try
        {
            using var status = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync("/api/status"));
            return status.RootElement.GetProperty("sources")[0].GetProperty("failedConnects").GetInt64();
        }
        catch (HttpRequestException)
        {
            return 0; // not listening yet
        }
    }

    private static int Count(string text, string part)
    {
        var n = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal))
        {
            n++;
        }

        return n;
    }

    private static int RequiredPort(string variable, string what) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } v
            ? int.Parse(v, CultureInfo.InvariantCulture)
            : throw new InvalidOperationException($"{variable} is not set: run ./test.sh, which starts {what} and exports it");

    private static async Task<HostedMqttNetServer> StartMqttNetServerAsync()
    {
        var port = FreePort.Next();
        var server = new MqttServerFactory().CreateMqttServer(new MqttServerOptionsBuilder()
            .WithDefaultEndpoint().WithDefaultEndpointBoundIPAddress(System.Net.IPAddress.Loopback).WithDefaultEndpointPort(port)
            .WithPersistentSessions().WithMaxPendingMessagesPerClient(100_000).Build());
        await server.StartAsync();
        return new HostedMqttNetServer(server, port);
    }

    [GeneratedRegex(@"auto chose MQTT (?<version>[0-9.]+) for \S+ in (?<ms>[0-9]+) ms")]
    private static partial Regex AutoChoice();

    private sealed class HostedMqttNetServer(MqttServer server, int port) : IAsyncDisposable
    {
        public int Port => port;

        public async ValueTask DisposeAsync()
        {
            await server.StopAsync();
            server.Dispose();
        }
    }
}
