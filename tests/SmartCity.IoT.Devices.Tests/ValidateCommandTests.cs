using SmartCity.IoT.Core.Loading;
using SmartCity.IoT.Devices.Commands;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.Devices.Tests;

/// <summary><c>devices validate</c>: each kind of mistake gives file:line:col, what is wrong and what to change; exit code 1.</summary>
public sealed class ValidateCommandTests
{
    private const string Good = """
        # yaml-language-server: $schema=../schema/device-profile.schema.json
        id: acme/ems-200
        vendor: Acme
        model: EMS-200
        family: environment
        topics:
          - template: acme/{building}/{device}/telemetry
        payload:
          format: json
        fields:
          - { name: temperature, path: $.t, unit: degC, range: [-10, 50] }
          - { name: co2, path: $.co2, unit: ppm }
        samples:
          - name: one
            topic: acme/hq/ems-1/telemetry
            payload: '{"t":23.4,"co2":812}'
            expect: 'environment,building=hq,device=ems-1,model=acme/ems-200 temperature=23.4,co2=812 1763856000000000000'
          - name: two
            topic: acme/annex/ems-2/telemetry
            payload: '{"t":21,"co2":455}'
            expect: 'environment,building=annex,device=ems-2,model=acme/ems-200 temperature=21,co2=455 1763856000000000000'
          - name: bad
            topic: acme/hq/ems-1/telemetry
            payload: 'nope'
            expect_error: malformed_payload
        """;

    [Fact]
    public void A_good_profile_passes_with_exit_code_0()
    {
        using var temp = new TempDevices();
        var file = temp.Write("devices/acme/ems-200.yaml", Good);
        var (exit, output) = temp.Validate(file);
        Assert.Equal(0, exit);
        Assert.Contains("OK: 1 file(s), 1 profile(s), 3 sample(s) decode as expected.", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("name: co2, path", "name: c02, path", 12, 13, "unknown field 'c02': every field must use a name from devices/vocabulary.yaml (did you mean 'co2'?)")]
    [InlineData("unit: degC, range", "unit: degK, range", 11, 43, "field 'temperature': unit 'degK' has no conversion to degC in devices/vocabulary.yaml")]
    [InlineData("range: [-10, 50]", "range: [50, -10]", 11, 56, "field 'temperature': range min 50 is above max -10 (write [min, max])")]
    [InlineData("range: [-10, 50]", "range: [-100, 50]", 11, 56, "goes beyond the vocabulary's [-40, 125]; narrow it")]
    [InlineData("temperature=23.4,co2=812 ", "temperature=23.4,co2=813 ", 14, 5, "sample 'one' does not decode to its expected reading: field co2: expected 813, got 812")]
    [InlineData("id: acme/ems-200", "id: acme/ems-100", 2, 5, "id 'acme/ems-100' does not match the file's path; set 'id: acme/ems-200'")]
    [InlineData("fields:", "feilds:", 10, 1, "unknown key 'feilds' in the profile (did you mean 'fields'?)")]
    [InlineData("expect_error: malformed_payload", "expect: 'x'", 14, 3, "a profile needs at least one invalid sample with 'expect_error'")]
    [InlineData("template: acme/{building}/{device}/telemetry", "template: acme/{building}/+/telemetry", 7, 5, "contains an MQTT wildcard")]
    [InlineData("format: json", "format: xml", 9, 11, "payload format 'xml' must be json, senml, binary, records, value, sparkplug or codec")]
    [InlineData("payload: 'nope'", "payload: '{\"t\":1}'", 22, 5, "sample 'bad' should fail with 'malformed_payload' but decoded to")]
    [InlineData("path: $.t, unit: degC", "path: $.t, scale: 0.1, unit: degC", 14, 5, "sample 'one' does not decode to its expected reading: field temperature: expected 23.4, got 2.34")]
    [InlineData("name: co2, path: $.co2, unit: ppm", "name: temperature, path: $.co2, unit: degC", 12, 13, "field 'temperature' is mapped twice; map each vocabulary field once, or give every mapping of it an instance")]
    [InlineData("path: $.t, unit: degC", "path: $.t, unit_path: $.x.u, unit: degC", 11, 48, "unit_path '$.x.u' must name a property next to the value at '$.t' (the same object)")]
    [InlineData("path: $.t, unit: degC, range: [-10, 50] }", "path: \"$.p[*].t\", instance: { probe: 1 } }", 11, 54, "'instance' is for a fixed path; in an array ($.p[*].t) tell the elements apart with a tag that has 'instance: true'")]
    [InlineData("range: [-10, 50] }", "range: [-10, 50], instance: { co2: 1 } }", 11, 79, "instance tag 'co2' must be snake_case and differ from topic segments, 'device', 'model' and vocabulary field names")]
    public void Each_mistake_names_file_line_and_fix(string from, string to, int line, int column, string message)
    {
        using var temp = new TempDevices();
        Assert.Contains(from, Good, StringComparison.Ordinal);
        var file = temp.Write("devices/acme/ems-200.yaml", Good.Replace(from, to, StringComparison.Ordinal));
        var (exit, output) = temp.Validate(file);
        Assert.Equal(1, exit);
        Assert.True(output.Contains($"acme/ems-200.yaml:{line}:{column}: error: ", StringComparison.Ordinal), output);
        var errorLine = output.Split('\n').First(l => l.Contains($"ems-200.yaml:{line}:{column}: error: ", StringComparison.Ordinal));
        Assert.Contains(message, errorLine, StringComparison.Ordinal);
        Assert.Contains("FAILED:", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Overlapping_topic_templates_across_profiles_are_reported_in_both_files()
    {
        using var temp = new TempDevices();
        temp.Write("devices/acme/ems-200.yaml", Good);
        temp.Write("devices/other/box.yaml", Good.Replace("id: acme/ems-200", "id: other/box", StringComparison.Ordinal)
            .Replace("acme/{building}/{device}/telemetry", "acme/{site}/{device}/{kind}", StringComparison.Ordinal)
            .Replace("model=acme/ems-200", "model=other/box", StringComparison.Ordinal));
        var (exit, output) = temp.Validate();
        Assert.Equal(1, exit);
        Assert.Contains("acme/ems-200.yaml:7:5: error: topic template 'acme/{building}/{device}/telemetry' overlaps 'acme/{site}/{device}/{kind}' of other/box", output, StringComparison.Ordinal);
        Assert.Contains("other/box.yaml:7:5: error: topic template 'acme/{site}/{device}/{kind}' overlaps 'acme/{building}/{device}/telemetry' of acme/ems-200", output, StringComparison.Ordinal);
        Assert.Contains("make a plain level differ", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_yaml_gives_its_line()
    {
        using var temp = new TempDevices();
        var file = temp.Write("devices/acme/ems-200.yaml", "id: acme/ems-200\nfields: [\n  - a: b\n");
        var (exit, output) = temp.Validate(file);
        Assert.Equal(1, exit);
        Assert.Matches(@"ems-200\.yaml:\d+:\d+: error: invalid YAML", output);
    }

    [Fact]
    public void A_vocabulary_unit_without_conversion_path_is_listed_with_the_known_units()
    {
        using var temp = new TempDevices();
        var file = temp.Write("devices/acme/ems-200.yaml", Good.Replace("unit: ppm", "unit: mg/m3", StringComparison.Ordinal));
        var (_, output) = temp.Validate(file);
        Assert.Contains("unit 'mg/m3' has no conversion to ppm in devices/vocabulary.yaml (known: ppm, ppb, %, percent)", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Catalog_load_fails_with_the_same_messages_validate_prints()
    {
        using var temp = new TempDevices();
        temp.Write("devices/acme/ems-200.yaml", Good.Replace("name: co2,", "name: c02,", StringComparison.Ordinal));
        var e = Assert.Throws<DiagnosticException>(() => DeviceCatalog.Load(temp.Devices));
        var (_, output) = temp.Validate();
        var error = Assert.Single(e.Errors);
        Assert.Contains(error.ToString(), output, StringComparison.Ordinal);
        Assert.Equal(12, error.Line);
        Assert.Contains(error.ToString(), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_with_no_paths_checks_the_repository_catalog()
    {
        var output = new StringWriter();
        Assert.Equal(0, DeviceCommands.Validate([], RepoPaths.Devices, output));
        Assert.StartsWith("OK: all profiles, ", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Test_command_prints_a_table_and_line_protocol_for_a_binary_payload()
    {
        var output = new StringWriter();
        var exit = DeviceCommands.Test(Path.Combine(RepoPaths.Devices, "lionrock", "om-100.yaml"), "buildings/hq/floors/2/occupancy/om-0201/up",
            Convert.FromHexString("01000C01C25A0924"), RepoPaths.Devices, output, receivedUnixNs: 1_763_856_000_000_000_000);
        var text = output.ToString();
        Assert.Equal(0, exit);
        Assert.Matches(@"people_count\s+12\s+1", text);
        Assert.Matches(@"temperature\s+23\.4\s+degC", text);
        Assert.Matches(@"occupancy\s+true", text);
        Assert.Contains("occupancy,building=hq,device=om-0201,floor=2,model=lionrock/om-100 occupancy=true,people_count=12i,illuminance=450,battery=90,temperature=23.4 1763856000000000000", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Test_command_prints_the_error_and_exits_1()
    {
        var output = new StringWriter();
        var exit = DeviceCommands.Test(Path.Combine(RepoPaths.Devices, "lionrock", "om-100.yaml"), "buildings/hq/floors/2/occupancy/om-0201/up",
            Convert.FromHexString("0100"), RepoPaths.Devices, output);
        Assert.Equal(1, exit);
        Assert.Contains("error     malformed_payload: binary frame has 2 byte(s), the layout is exactly 8 (byte 2 is where they part); frame (hex): 01 00", output.ToString(), StringComparison.Ordinal);
    }
}
