using SmartCity.IoT.Core.Loading;
using SmartCity.IoT.Devices;
using SmartCity.IoT.Gateway.Commands;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.Gateway.Tests.Nats;

/// <summary><c>nats mappings</c> on the shipped profiles and on a user's mistakes.</summary>
public sealed class NatsMappingsCommandTests
{
    [Fact]
    public void Every_shipped_template_is_mapped_or_named_in_a_note()
    {
        var (code, output, notes) = Run(4, devicesRoot: RepoPaths.Devices);

        Assert.True(code == 0, notes);
        Assert.StartsWith("mappings = {", output, StringComparison.Ordinal);
        var catalog = DeviceCatalog.Load(RepoPaths.Devices);
        var missing = new List<string>();
        foreach (var profile in catalog.Profiles)
        {
            var templates = profile.Decoding.Topics.Select(t => t.Template).ToList();
            if (profile.Decoding.Availability is { } availability)
            {
                templates.Add("availability " + availability.Template.Template);
            }

            foreach (var template in templates)
            {
                var mapped = output.Contains($"  # {profile.Id} (", StringComparison.Ordinal) && output.Split('\n').Any(l => l.StartsWith($"  # {profile.Id} (", StringComparison.Ordinal) && l.EndsWith("): " + template, StringComparison.Ordinal));
                var noted = notes.Split('\n').Any(l => l.Contains($": note: {template}:", StringComparison.Ordinal));
                if (!mapped && !noted)
                {
                    missing.Add($"{profile.Id}: {template}");
                }
            }
        }

        Assert.True(missing.Count == 0, "neither mapped nor noted:\n" + string.Join("\n", missing) + "\n" + output + notes);
        // Sparkplug's spBv1.0 level cannot pass nats-server 2.9's MQTT listener.
        Assert.Contains(notes.Split('\n'), l => l.Contains("plantlink", StringComparison.Ordinal) && l.Contains("spBv1.0", StringComparison.Ordinal));
        Assert.DoesNotContain("spBv1", output.Split('\n').Where(l => !l.TrimStart().StartsWith('#')).Aggregate("", (a, b) => a + b), StringComparison.Ordinal);
    }

    [Fact]
    public void The_readme_excerpt_is_what_the_command_writes()
    {
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md")).ReplaceLineEndings("\n");
        var start = readme.IndexOf("```\nmappings = {\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md shows no `mappings = {` excerpt");
        var excerpt = readme[(start + 4)..readme.IndexOf("\n```", start + 4, StringComparison.Ordinal)].Split('\n').Where(l => l.Trim() != "...").ToList();
        var (_, output, _) = Run(8, devicesRoot: RepoPaths.Devices);

        // Run from the repository, the profile files are shown relative to it, as in the README.
        var lines = output.Replace(RepoPaths.Root.TrimEnd('/') + "/", "", StringComparison.Ordinal).Split('\n');
        Assert.True(excerpt.Count > 4, string.Join("\n", excerpt));
        Assert.All(excerpt, l => Assert.Contains(l, lines));
    }

    [Fact]
    public void The_partition_count_comes_from_the_configuration_when_not_given()
    {
        using var dir = new TempDir("smartcity-nats-mappings");
        var config = dir.Sub("appsettings.json");
        File.WriteAllText(config, """{ "Nats": { "Partitions": 6, "PartitionPrefix": "part" } }""");

        var (code, output, notes) = Run(null, devicesRoot: RepoPaths.Devices, config: config);

        Assert.True(code == 0, notes);
        Assert.Contains("\"part.{{partition(6,3)}}.buildings.{{wildcard(1)}}.floors.{{wildcard(2)}}.env.{{wildcard(3)}}.telemetry\"", output, StringComparison.Ordinal);
    }

    [Fact]
    public void No_partition_count_anywhere_is_one_sentence_naming_both_ways()
    {
        using var dir = new TempDir("smartcity-nats-mappings");
        var config = dir.Sub("appsettings.json");
        File.WriteAllText(config, "{}");

        var error = Assert.Throws<CommandLineException>(() => Run(null, devicesRoot: RepoPaths.Devices, config: config));
        Assert.Contains("--partitions", error.Message, StringComparison.Ordinal);
        Assert.Contains("Nats:Partitions", error.Message, StringComparison.Ordinal);
        Assert.Contains("1 to 1024", Assert.Throws<CommandLineException>(() => Run(0, devicesRoot: RepoPaths.Devices)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void By_building_keys_the_building_profiles_by_the_building_and_names_the_rest()
    {
        var (code, output, notes) = Run(8, by: "building", devicesRoot: RepoPaths.Devices);

        Assert.Equal(0, code);
        Assert.Contains("\"p.{{partition(8,1)}}.buildings.{{wildcard(1)}}.floors.{{wildcard(2)}}.env.{{wildcard(3)}}.telemetry\"", output, StringComparison.Ordinal);
        Assert.Contains(notes.Split('\n'), l => l.Contains("tasmota", StringComparison.Ordinal) && l.Contains("{building}", StringComparison.Ordinal));
        Assert.Contains("did you mean 'building'", Assert.Throws<CommandLineException>(() => Run(8, by: "buildin", devicesRoot: RepoPaths.Devices)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_catalog_with_nothing_mappable_exits_1_with_one_sentence_after_the_notes()
    {
        using var dir = new TempDir("smartcity-nats-mappings");
        var root = dir.Sub("devices");
        Directory.CreateDirectory(Path.Combine(root, "plantlink"));
        File.Copy(Path.Combine(RepoPaths.Devices, DeviceCatalog.VocabularyFileName), Path.Combine(root, DeviceCatalog.VocabularyFileName));
        File.Copy(Path.Combine(RepoPaths.Devices, "plantlink", "spb-edge.yaml"), Path.Combine(root, "plantlink", "spb-edge.yaml"));
        var notes = new StringWriter();

        var error = Assert.Throws<CommandLineException>(() => NatsCommandLine.WriteMappings(4, null, null, root, null, TextWriter.Null, notes));
        Assert.Equal(1, error.ExitCode);
        Assert.StartsWith("no profile's topic could be mapped", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, notes.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.Contains("spb-edge.yaml: note: spBv1.0/", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_broken_profile_is_reported_as_devices_validate_reports_it()
    {
        using var dir = new TempDir("smartcity-nats-mappings");
        var root = dir.Sub("devices");
        foreach (var file in Directory.EnumerateFiles(RepoPaths.Devices, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(root, Path.GetRelativePath(RepoPaths.Devices, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        var ies = Path.Combine(root, "harbourtech", "ies-300.yaml");
        File.WriteAllText(ies, File.ReadAllText(ies).Replace("env/{device}/telemetry", "env/{device}/{device}/telemetry", StringComparison.Ordinal));

        var error = Assert.Throws<DiagnosticException>(() => Run(4, devicesRoot: root));
        Assert.Equal(DeviceCatalog.DiagnosticSubject, error.Subject);
        Assert.Contains(error.Errors, e => e.File.EndsWith("ies-300.yaml", StringComparison.Ordinal) && e.Message.Contains("twice", StringComparison.Ordinal));
    }

    private static (int Code, string Output, string Notes) Run(int? partitions, string? by = null, string? devicesRoot = null, string? config = null)
    {
        var output = new StringWriter();
        var notes = new StringWriter();
        var code = NatsCommandLine.WriteMappings(partitions, by, null, devicesRoot, config, output, notes);
        return (code, output.ToString().ReplaceLineEndings("\n"), notes.ToString().ReplaceLineEndings("\n"));
    }
}
