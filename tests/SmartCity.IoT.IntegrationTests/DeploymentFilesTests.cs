using System.Diagnostics;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.IntegrationTests;

/// <summary>The files in deploy/ as their tools read them.</summary>
public sealed class DeploymentFilesTests
{
    [Fact]
    public async Task The_systemd_unit_passes_systemd_analyze_verify_and_is_hardened()
    {
        var unit = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "deploy", "systemd", "smartcity-gateway.service"));
        foreach (var setting in new[] { "DynamicUser=yes", "StateDirectory=smartcity", "ProtectSystem=strict", "NoNewPrivileges=yes", "ExecStart=/usr/bin/dotnet /opt/smartcity/SmartCity.IoT.Gateway.dll run" })
        {
            Assert.Contains(setting, unit, StringComparison.Ordinal);
        }

        // verify checks that ExecStart's binary exists: point it at the dotnet running this test, wherever it is installed.
        using var dir = new TempDir("smartcity-unit");
        var copy = Path.Combine(dir.Path, "smartcity-gateway.service");
        await File.WriteAllTextAsync(copy, unit.Replace("/usr/bin/dotnet", Environment.ProcessPath ?? "/usr/bin/dotnet", StringComparison.Ordinal));
        var analyze = File.Exists("/usr/bin/systemd-analyze") ? "/usr/bin/systemd-analyze"
            : throw new InvalidOperationException("systemd-analyze is not installed: run ./test.sh, which installs Debian's systemd package.");
        using var process = Process.Start(new ProcessStartInfo(analyze, ["verify", copy]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0 && output.Trim().Length == 0, $"systemd-analyze verify (exit {process.ExitCode}):\n{output}");
    }
}
