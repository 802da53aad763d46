using System.Text.RegularExpressions;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.Devices.Tests;

/// <summary>Every profile devices/README.md offers to copy (marked <c>&lt;!-- example:write PATH --&gt;</c>) validates, samples included.</summary>
public sealed partial class ReadmeExampleTests
{
    public static TheoryData<string, string> Examples()
    {
        var data = new TheoryData<string, string>();
        var text = File.ReadAllText(Path.Combine(RepoPaths.Devices, "README.md")).ReplaceLineEndings("\n");
        foreach (Match m in ExampleBlock().Matches(text))
        {
            data.Add(m.Groups[1].Value, m.Groups[2].Value);
        }

        return data;
    }

    [Fact]
    public void The_readme_has_its_record_list_and_lpp_examples() =>
        Assert.Superset(new HashSet<string> { "devices/acme/tlv-meter.yaml", "devices/acme/lpp-node.yaml" }, Examples().Select(e => (string)e[0]).ToHashSet());

    [Theory]
    [MemberData(nameof(Examples))]
    public void A_readme_example_validates(string path, string yaml)
    {
        using var temp = new TempDevices();
        var (exit, output) = temp.Validate(temp.Write(path, yaml));
        Assert.True(exit == 0, output);
        Assert.Contains("decode as expected", output, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"<!-- example:write (\S+) -->\n```yaml\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ExampleBlock();
}
