using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SmartCity.IoT.Devices;
using SmartCity.IoT.Gateway.Hosting;
using SmartCity.IoT.Gateway.Pipeline;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.Gateway.Tests;

/// <summary>Configuration reaches what it configures, and settings that moved are refused by name (host built, not started).</summary>
public sealed class HostConfigurationTests
{
    [Fact]
    public async Task Gateway_MaxPayloadBytes_is_the_decoders_limit()
    {
        await using var app = GatewayHost.Build(null, Settings(("Gateway:MaxPayloadBytes", "1048576")));
        Assert.Equal(1_048_576, app.Services.GetRequiredService<DeviceCatalog>().Decoder.MaxPayloadBytes);
    }

    [Fact]
    public async Task Pipeline_settings_are_bound_and_checked()
    {
        await using (var app = GatewayHost.Build(null, Settings(("Pipeline:BatchSize", "250"), ("Pipeline:MaxDevices", "77"))))
        {
            Assert.Equal(250, app.Services.GetRequiredService<IOptions<PipelineOptions>>().Value.BatchSize);
            Assert.Equal(77, app.Services.GetRequiredService<Core.Devices.DeviceRegistry>().MaxDevices);
        }

        await using var bad = GatewayHost.Build(null, Settings(("Pipeline:BatchSize", "0")));
        var error = Assert.Throws<OptionsValidationException>(() => bad.Services.GetRequiredService<IOptions<PipelineOptions>>().Value);
        Assert.Contains("BatchSize", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Influx:BatchSize", "500", "Pipeline:BatchSize")]
    [InlineData("Influx:FlushInterval", "00:00:02", "Pipeline:FlushInterval")]
    public async Task A_setting_that_moved_is_refused_with_its_new_name(string old, string value, string moved)
    {
        await using var app = GatewayHost.Build(null, Settings((old, value)));
        var error = Assert.Throws<OptionsValidationException>(() => app.Services.GetRequiredService<IOptions<PipelineOptions>>().Value);
        Assert.Contains($"{old} has moved to {moved}", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The repository's profiles and rules, an ephemeral port, a data folder of its own (never the repository's data/,
    /// which a test class building hosts at the same time would share, spool lock and all), and <paramref name="extra"/>.
    /// </summary>
    internal static Dictionary<string, string?> Settings(params (string Key, string Value)[] extra)
    {
        var data = Directory.CreateDirectory(Path.Combine(DataRoot.Folder, Guid.NewGuid().ToString("N"))).FullName;
        var settings = new Dictionary<string, string?>
        {
            ["Http:Urls"] = "http://127.0.0.1:0",
            ["Http:Auth:GeneratedCredentialsPath"] = Path.Combine(data, "http-operator.secret"),
            ["Gateway:DevicesPath"] = RepoPaths.Devices,
            ["Gateway:RulesPath"] = RepoPaths.Rules,
            ["Gateway:RulesCheckpointPath"] = Path.Combine(data, "rules.checkpoint"),
            ["Spool:Path"] = Path.Combine(data, "spool"),
            ["DeadLetter:Path"] = Path.Combine(data, "deadletter"),
            ["Alerts:OutboxPath"] = Path.Combine(data, "alerts.db"),
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>One folder for the whole test run's host data, removed when the process ends.</summary>
    private static class DataRoot
    {
        public static readonly string Folder = CreateRemovedAtExit();

        private static string CreateRemovedAtExit()
        {
            var root = Directory.CreateTempSubdirectory("smartcity-hosttests-").FullName;
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                try
                {
                    Directory.Delete(root, recursive: true);
                }
                catch (IOException)
                {
                    // Left for the OS to clean.
                }
            };
            return root;
        }
    }
}
