namespace SmartCity.IoT.Devices.Tests;

/// <summary>A profile that is not valid YAML gets one diagnostic at the place the reader stopped, never an exception.</summary>
public sealed class YamlSyntaxTests
{
    private const string Head = "id: acme/ems-200\nvendor: Acme\nmodel: EMS-200\nfamily: environment\n";

    [Theory]
    [InlineData(Head + "payload: { format: json\nfields:\n  - name: co2\n    path: $.co2\n",
        "ems-200.yaml:6:1: error: invalid YAML: the YAML reader could not continue here (the '{' at line 5, column 10 is not closed; close it with '}' on the same item); the file is not valid YAML or JSON, so none of it was read")]
    [InlineData(Head + "fields:\n  - name: co2\n     path: $.co2\n",
        "ems-200.yaml:7:10: error: invalid YAML: While scanning a plain scalar value, found invalid mapping (check the indentation of this line and the one before it; quote a value that contains ': '); the file is not valid YAML or JSON, so none of it was read")]
    [InlineData(Head + "fields:\n  - name: co2\n\tpath: $.co2\n",
        "ems-200.yaml:7:1: error: invalid YAML: a tab in the indentation (YAML indents with spaces only); the file is not valid YAML or JSON, so none of it was read")]
    public void Broken_yaml_is_one_diagnostic_with_line_and_column(string profile, string expected)
    {
        using var temp = new TempDevices();
        var (exit, output) = temp.Validate(temp.Write("devices/acme/ems-200.yaml", profile));

        Assert.Equal(1, exit);
        var line = Assert.Single(output.Split('\n'), l => l.Contains("ems-200.yaml:", StringComparison.Ordinal)).TrimEnd('\r');
        Assert.True(line.EndsWith(expected, StringComparison.Ordinal), line);
    }

    [Fact]
    public void A_list_as_a_key_is_a_diagnostic_not_a_crash()
    {
        using var temp = new TempDevices();
        var (exit, output) = temp.Validate(temp.Write("devices/acme/ems-200.yaml", Head + "fields:\n  - ? [name]\n    : co2\n"));

        Assert.Equal(1, exit);
        Assert.True(output.Contains("ems-200.yaml:6:7: error: a key must be a plain name, not a list or a mapping", StringComparison.Ordinal), output);
    }
}
