using System.Diagnostics;
using SmartCity.IoT.Testing;
using static SmartCity.IoT.IntegrationTests.CommandLineTests;

namespace SmartCity.IoT.IntegrationTests;

/// <summary>Every user mistake at the command line ends in one clear message and a non-zero exit, never a stack trace.</summary>
public sealed class CommandLineMistakeTests
{
    private const string Topic = "buildings/hq/floors/3/env/ies-0042/telemetry";
    private static readonly string Profile = Path.Combine(RepoPaths.Devices, "harbourtech", "ies-300.yaml");

    [Fact]
    public async Task Devices_test_with_a_missing_payload_file_names_the_option_and_the_file()
    {
        var output = await FailsAsync("devices", "test", Profile, "--topic", Topic, "--payload", "/nonexistent/sample.json", "--devices-root", RepoPaths.Devices);
        Assert.Contains("--payload '/nonexistent/sample.json': no such file", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Devices_test_with_bad_hex_says_it_is_not_hex()
    {
        var output = await FailsAsync("devices", "test", Profile, "--topic", Topic, "--hex", "ZZ", "--devices-root", RepoPaths.Devices);
        Assert.Contains("--hex 'ZZ' is not hex", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Devices_test_refuses_text_and_hex_together()
    {
        var output = await FailsAsync("devices", "test", Profile, "--topic", Topic, "--text", "{}", "--hex", "7B7D", "--devices-root", RepoPaths.Devices);
        Assert.Contains("--hex and --text cannot be combined", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Devices_test_accepts_a_profile_id()
    {
        var (code, output) = await RunAsync("devices", "test", "harbourtech/ies-300", "--topic", Topic,
            "--text", """{"climate":{"t":23.4,"rh":58.2},"air":{"co2":812}}""", "--devices-root", RepoPaths.Devices);
        Assert.True(code == 0, output);
        Assert.Contains("profile   harbourtech/ies-300", output, StringComparison.Ordinal);
        Assert.Contains("812", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Devices_test_with_an_unknown_profile_id_lists_the_ids()
    {
        var output = await FailsAsync("devices", "test", "harbourtech/ies-30", "--topic", Topic, "--text", "{}", "--devices-root", RepoPaths.Devices);
        Assert.Contains("no such profile file or profile id (did you mean 'harbourtech/ies-300'?)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Devices_validate_and_test_on_a_copy_of_a_profile_name_both_files()
    {
        using var dir = new TempDir("smartcity-copy");
        var copy = Path.Combine(dir.Path, "harbourtech", "ies-300.yaml");
        Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
        File.Copy(Profile, copy);

        var output = await FailsAsync("devices", "validate", copy, "--devices-root", RepoPaths.Devices);
        Assert.Contains("profile id 'harbourtech/ies-300' is also the id of", output, StringComparison.Ordinal);
        Assert.Contains("ies-300.yaml", output, StringComparison.Ordinal);

        var (code, testOutput) = await RunAsync("devices", "test", copy, "--topic", Topic, "--text", """{"air":{"co2":812}}""", "--devices-root", RepoPaths.Devices);
        Assert.True(code == 0, testOutput);
        Assert.Contains("warning: ", testOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("ArgumentException", testOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Devices_validate_on_a_deployed_devices_folder_checks_it_as_a_catalog()
    {
        var copy = CopyOfDevices();
        var (code, output) = await RunAsync("devices", "validate", copy);
        Assert.True(code == 0, output);
        Assert.DoesNotContain("vocabulary.yaml", output, StringComparison.Ordinal);
        Assert.Contains("OK: all profiles", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_with_a_pattern_matching_nothing_lists_the_profile_ids()
    {
        var output = await FailsAsync("simulate", "--devices", "pavilion/*", "--count", "1", "--devices-root", RepoPaths.Devices);
        Assert.Contains("--devices 'pavilion/*' matches no profile id", output, StringComparison.Ordinal);
        Assert.Contains("harbourtech/ies-300", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_help_example_pattern_matches_profiles()
    {
        var (_, help) = await RunAsync("simulate", "--help");
        var example = help.Split('\'')[1];
        var catalog = SmartCity.IoT.Devices.DeviceCatalog.Load(RepoPaths.Devices);
        Assert.NotEmpty(SmartCity.IoT.Devices.Simulation.DeviceSimulator.MatchingProfiles(catalog, example));
    }

    [Theory]
    [InlineData("--anomaly-rate", "3", "--anomaly-rate 3 is out of range: it must be between 0 and 1")]
    [InlineData("--qos", "2", "--qos 2 is out of range: it must be between 0 and 1")]
    [InlineData("--rate", "-5", "--rate -5 is out of range")]
    [InlineData("--count", "-1", "--count -1 is out of range")]
    [InlineData("--devices-per-profile", "0", "--devices-per-profile 0 is out of range")]
    [InlineData("--duration", "soon", "--duration 'soon' is not a positive duration")]
    [InlineData("--broker", "localhost:99999", "--broker 'localhost:99999' is not host:port")]
    public async Task Simulate_refuses_an_out_of_range_option_naming_it(string option, string value, string message)
    {
        var output = await FailsAsync("simulate", option, value, "--devices-root", RepoPaths.Devices);
        Assert.Contains(message, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_against_a_broker_that_is_not_running_fails_fast_naming_it()
    {
        var port = FreePort.Next();
        var clock = Stopwatch.StartNew();
        var output = await FailsAsync("simulate", "--broker", $"127.0.0.1:{port}", "--count", "10", "--devices-root", RepoPaths.Devices);
        clock.Stop();
        Assert.Contains($"cannot connect to the MQTT broker at 127.0.0.1:{port}", output, StringComparison.Ordinal);
        // The command gives up after 4 s; the margin is for a busy machine (it used to take 33 s).
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Spool_replay_with_an_unknown_api_names_the_choices()
    {
        var output = await FailsAsync("spool", "replay", "--to", "http://127.0.0.1:8086", "--api", "v3", "--db", "x");
        Assert.Contains("--api 'v3' is not supported: use v1 or v2", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Spool_replay_errors_name_its_options_not_configuration_keys()
    {
        var output = await FailsAsync("spool", "replay", "--to", "http://127.0.0.1:8086", "--api", "v2", "--org", "-");
        Assert.Contains("--bucket is required with --api v2", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Influx:", output, StringComparison.Ordinal);

        var v1 = await FailsAsync("spool", "replay", "--to", "http://127.0.0.1:8086", "--api", "v1");
        Assert.Contains("--db is required with --api v1", v1, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Spool_replay_to_an_unreachable_influxdb_fails_fast_and_keeps_the_spool()
    {
        using var spool = new TempDir("smartcity-spool");
        var port = FreePort.Next();
        var clock = Stopwatch.StartNew();
        var output = await FailsAsync("spool", "replay", "--path", spool.Path, "--to", $"http://127.0.0.1:{port}", "--api", "v1", "--db", "smartcity");
        Assert.Contains($"cannot reach InfluxDB at http://127.0.0.1:{port} (--to)", output, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Rules_validate_accepts_a_file_and_warns_on_an_empty_folder()
    {
        var (code, output) = await RunAsync("rules", "validate", Path.Combine(RepoPaths.Rules, "comfort.yaml"), "--devices-root", RepoPaths.Devices);
        Assert.True(code == 0, output);
        Assert.Contains("OK: 1 rule file(s)", output, StringComparison.Ordinal);

        using var empty = new TempDir("smartcity-rules-empty");
        var (emptyCode, emptyOutput) = await RunAsync("rules", "validate", empty.Path, "--devices-root", RepoPaths.Devices);
        Assert.Equal(0, emptyCode);
        Assert.Contains("warning: no rule files", emptyOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rules_validate_warns_about_match_terms_no_profile_has()
    {
        using var dir = new TempDir("smartcity-rules-match");
        var file = Path.Combine(dir.Path, "match.yaml");
        await File.WriteAllTextAsync(file, """
            rules:
              - name: hot_pavilion
                match: { family: enviroment, profile: harbourtech/ies-30, tags: { wing: east } }
                expr: temperature > 28
                severity: warning
            """);
        var (code, output) = await RunAsync("rules", "validate", file, "--devices-root", RepoPaths.Devices);
        Assert.True(code == 0, output);
        Assert.Contains("match.yaml:2:1: warning: match family 'enviroment' names no family", output, StringComparison.Ordinal);
        Assert.Contains("match profile 'harbourtech/ies-30' matches no profile id (did you mean 'harbourtech/ies-300'?)", output, StringComparison.Ordinal);
        Assert.Contains("match tag 'wing' is a tag no profile gives", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rules_validate_with_a_broken_profile_lists_the_profile_errors()
    {
        var root = CopyOfDevices();
        var file = Path.Combine(root, "harbourtech", "ies-300.yaml");
        await File.WriteAllTextAsync(file, (await File.ReadAllTextAsync(file)).Replace("range: [0, 10000]", "range: [10000, 0]", StringComparison.Ordinal));
        var output = await FailsAsync("rules", "validate", RepoPaths.Rules, "--devices-root", root);
        Assert.Contains("the device profiles have", output, StringComparison.Ordinal);
        Assert.Contains("ies-300.yaml:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rules_validate_of_a_missing_path_says_so()
    {
        var output = await FailsAsync("rules", "validate", "/nonexistent/rules.yaml", "--devices-root", RepoPaths.Devices);
        Assert.Contains("/nonexistent/rules.yaml: error: no such file or folder", output, StringComparison.Ordinal);
    }

    /// <summary>Runs a command that must fail: non-zero exit, no stack trace; returns what it printed.</summary>
    private static async Task<string> FailsAsync(params string[] args)
    {
        var (code, output) = await RunAsync(args);
        Assert.True(code != 0, $"exit 0 for {string.Join(' ', args)}:\n{output}");
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", output, StringComparison.Ordinal);
        return output;
    }
}
