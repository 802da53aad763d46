using System.Net;
using System.Text.Json;
using SmartCity.IoT.Devices;
using SmartCity.IoT.Devices.Simulation;
using SmartCity.IoT.IntegrationTests.Infrastructure;

namespace SmartCity.IoT.IntegrationTests;

/// <summary>
/// README command one: with no broker and no InfluxDB configured the gateway runs its embedded broker and simulator,
/// spools line protocol locally and shows every profile's devices on the status page.
/// </summary>
public sealed class DemoModeTests
{
    [Fact]
    public async Task The_embedded_demo_shows_every_profile_on_the_status_page_and_spools_readings()
    {
        var brokerPort = FreePort.Next();
        await using var gateway = await GatewayInstance.StartAsync(s =>
        {
            s["Mqtt:Host"] = "";
            s["Mqtt:EmbeddedPort"] = brokerPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
            s["Simulator:Enabled"] = "auto";
            s["Simulator:Rate"] = "400";
            s["Simulator:DevicesPerProfile"] = "2";
        });
        var catalog = gateway.Get<DeviceCatalog>();
        var simulated = catalog.Profiles.Where(DeviceSimulator.CanSimulate).ToList(); // Sparkplug and codec devices are not simulated
        Assert.NotEmpty(simulated);

        var status = await Eventually.WaitAsync(
            gateway.StatusAsync,
            s => simulated.All(p => s.Devices.Any(d => d.Profile == p.Id)) && s.Store.Spooled > 0,
            TimeSpan.FromSeconds(45),
            "a device of every profile on the status page and readings in the spool");
        Assert.True(status.Pipeline.Rejected == 0, "rejected: " + string.Join(", ", status.RejectedByReason) + " " + string.Join(" | ", status.RecentDeadLetters.Select(d => $"{d.Source}: {d.Reason} {d.Detail}")));
        Assert.True(status.Broker!.Embedded);
        Assert.True(status.Broker!.Connected);
        Assert.False(status.Store.InfluxConfigured);
        Assert.True(Directory.EnumerateFiles(Path.Combine(gateway.DataDir, "spool"), "*", SearchOption.AllDirectories).Any(), "the spool folder should hold segment files");

        using var http = new HttpClient { BaseAddress = new Uri(gateway.BaseUrl) };
        var page = await http.GetStringAsync("/");
        var api = await http.GetStringAsync("/api/status");
        foreach (var profile in simulated)
        {
            Assert.Contains(JsonEncodedText.Encode(profile.Id).ToString(), api, StringComparison.Ordinal);
        }

        Assert.Contains("Active alerts", page, StringComparison.Ordinal);
        // prometheus-net picks up System.Diagnostics.Metrics instruments on its own schedule, so poll.
        await Eventually.WaitAsync(
            () => http.GetStringAsync("/metrics"),
            m => m.Contains("smartcity_iot_messages_received", StringComparison.Ordinal) && m.Contains("smartcity_iot_influx_lines_spooled", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30),
            "the gateway's counters on /metrics");
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);
    }
}
