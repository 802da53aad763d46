using SmartCity.IoT.Gateway.Commands;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.IntegrationTests;

/// <summary>The gateway's command line as vendors and operators run it (in-process, output captured).</summary>
public sealed class CommandLineTests
{
    [Fact]
    public async Task Devices_validate_passes_on_the_shipped_catalog()
    {
        var (code, output) = await RunAsync("devices", "validate", "--devices-root", RepoPaths.Devices);
        Assert.True(code == 0, output);
    }

    [Fact]
    public async Task Devices_validate_names_file_line_and_fix_for_a_broken_profile_and_fails()
    {
        var root = CopyOfDevices();
        var file = Path.Combine(root, "harbourtech", "ies-300.yaml");
        var text = await File.ReadAllTextAsync(file);
        await File.WriteAllTextAsync(file, text.Replace("{ name: co2, path: $.air.co2", "{ name: carbon_dioxide, path: $.air.co2", StringComparison.Ordinal));

        var (code, output) = await RunAsync("devices", "validate", "--devices-root", root);
        Assert.Equal(1, code);
        Assert.Contains("ies-300.yaml:", output, StringComparison.Ordinal);
        Assert.Contains("carbon_dioxide", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Devices_test_prints_the_decoded_reading()
    {
        var (code, output) = await RunAsync("devices", "test", Path.Combine(RepoPaths.Devices, "harbourtech", "ies-300.yaml"),
            "--topic", "buildings/hq/floors/3/env/ies-0042/telemetry",
            "--text", """{"ts":1763884800000,"climate":{"t":23.4,"rh":58.2},"air":{"co2":812}}""",
            "--devices-root", RepoPaths.Devices);
        Assert.True(code == 0, output);
        Assert.Contains("co2", output, StringComparison.Ordinal);
        Assert.Contains("812", output, StringComparison.Ordinal);
        Assert.Contains("environment,", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rules_validate_reports_a_bad_rule_with_file_and_line()
    {
        var dir = Directory.CreateTempSubdirectory("smartcity-rules-cli-").FullName;
        await File.WriteAllTextAsync(Path.Combine(dir, "bad.yaml"), """
            rules:
              - name: broken
                expr: co2 >> 1000
                severity: warning
            """);
        var (code, output) = await RunAsync("rules", "validate", dir, "--devices-root", RepoPaths.Devices);
        Assert.Equal(1, code);
        Assert.Contains("bad.yaml:3", output, StringComparison.Ordinal);

        var (okCode, okOutput) = await RunAsync("rules", "validate", RepoPaths.Rules, "--devices-root", RepoPaths.Devices);
        Assert.True(okCode == 0, okOutput);
    }

    [Fact]
    public async Task Run_refuses_to_start_with_a_broken_profile_and_prints_the_validate_message()
    {
        var root = CopyOfDevices();
        var file = Path.Combine(root, "harbourtech", "ies-300.yaml");
        var text = await File.ReadAllTextAsync(file);
        await File.WriteAllTextAsync(file, text.Replace("range: [0, 10000]", "range: [10000, 0]", StringComparison.Ordinal));
        var (_, validateOutput) = await RunAsync("devices", "validate", "--devices-root", root);

        var dataDir = Directory.CreateTempSubdirectory("smartcity-start-").FullName;
        var settings = Infrastructure.GatewayInstance.DefaultSettings(dataDir, TestEnvironment.MosquittoPort);
        settings["Gateway:DevicesPath"] = root;
        var config = Infrastructure.GatewayProcess.WriteConfig(dataDir, settings);
        var (code, output) = await RunAsync("run", "--config", config);

        Assert.Equal(1, code);
        var error = validateOutput.Split('\n').First(l => l.Contains("ies-300.yaml", StringComparison.Ordinal) && l.Contains("error", StringComparison.Ordinal)).Trim();
        Assert.Contains(error, output, StringComparison.Ordinal);
    }

    internal static Task<(int Code, string Output)> RunAsync(params string[] args) => RunAsync(CancellationToken.None, args);

    /// <summary>Runs the command line in this process with its output captured; <paramref name="cancellationToken"/> stops a `run` that started after all.</summary>
    internal static async Task<(int Code, string Output)> RunAsync(CancellationToken cancellationToken, params string[] args)
    {
        var previousOut = Console.Out;
        var previousError = Console.Error;
        using var writer = new StringWriter();
        Console.SetOut(writer);
        Console.SetError(writer);
        try
        {
            var code = await GatewayCommandLine.InvokeAsync(args, cancellationToken);
            return (code, writer.ToString());
        }
        finally
        {
            Console.SetOut(previousOut);
            Console.SetError(previousError);
        }
    }

    internal static string CopyOfDevices()
    {
        var target = Directory.CreateTempSubdirectory("smartcity-devices-").FullName;
        foreach (var file in Directory.EnumerateFiles(RepoPaths.Devices, "*", SearchOption.AllDirectories))
        {
            var dest = Path.Combine(target, Path.GetRelativePath(RepoPaths.Devices, file));
            Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
            File.Copy(file, dest);
        }

        return target;
    }
}
