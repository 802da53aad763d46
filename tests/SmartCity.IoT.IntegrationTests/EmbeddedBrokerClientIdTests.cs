using System.Diagnostics;
using SmartCity.IoT.IntegrationTests.Infrastructure;

namespace SmartCity.IoT.IntegrationTests;

/// <summary>The demo's embedded broker takes what Mosquitto takes: a client without a client id.</summary>
public sealed class EmbeddedBrokerClientIdTests
{
    [Theory]
    [InlineData("mqttv311")]
    [InlineData("mqttv5")]
    public async Task Mosquitto_pub_without_a_client_id_is_accepted_and_its_reading_arrives(string version)
    {
        var brokerPort = FreePort.Next();
        await using var gateway = await GatewayInstance.StartAsync(s =>
        {
            s["Mqtt:Host"] = "";
            s["Mqtt:EmbeddedPort"] = brokerPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        });
        var pub = File.Exists("/usr/bin/mosquitto_pub") ? "/usr/bin/mosquitto_pub"
            : throw new InvalidOperationException("mosquitto_pub is not installed: run ./test.sh, which installs mosquitto-clients.");
        using var process = Process.Start(new ProcessStartInfo(pub, ["-h", "127.0.0.1", "-p", brokerPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-V", version, "-q", "1", "-t", "buildings/hq/floors/3/env/ies-noid/telemetry", "-m", """{"air":{"co2":640}}"""])
        { RedirectStandardError = true })!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"mosquitto_pub exit {process.ExitCode}: {error}");
        var registry = gateway.Get<SmartCity.IoT.Core.Devices.DeviceRegistry>();
        await Eventually.WaitAsync(() => Task.FromResult(registry.Snapshot().Any(d => d.DeviceId == "ies-noid")), seen => seen, TimeSpan.FromSeconds(15), "the reading of the client without an id");
    }
}
