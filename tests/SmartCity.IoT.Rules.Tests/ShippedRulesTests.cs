using System.Text.Json;
using SmartCity.IoT.Rules.Loading;
using SmartCity.IoT.Rules.Model;
using SmartCity.IoT.Rules.Tests.Support;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.Rules.Tests;

/// <summary>The rules in config/rules load against the real vocabulary, cover the device families, and match their schema.</summary>
public sealed class ShippedRulesTests
{
    [Fact]
    public void Shipped_rules_load_against_the_device_vocabulary()
    {
        Assert.True(File.Exists(RepoVocabulary.Path), $"missing {RepoVocabulary.Path}");
        var rules = RuleLoader.LoadDirectory(RepoPaths.Rules, RepoVocabulary.Load());
        Assert.True(rules.Count >= 25, $"only {rules.Count} rules");
        var names = rules.Rules.Select(r => r.Name).ToHashSet();
        foreach (var expected in new[] { "co2_high", "pm2_5_high", "tvoc_high", "room_too_hot", "humidity_high", "construction_noise", "construction_dust", "crack_width_growth", "structure_tilt", "construction_vibration", "toilet_ammonia", "water_biotoxicity", "parking_bay_fault", "device_offline", "co2_sensor_silent" })
        {
            Assert.Contains(expected, names);
        }

        var co2 = rules.Rules.Single(r => r.Name == "co2_high");
        Assert.Equal(3, co2.Levels.Count);
        Assert.Equal("co2 < 900", co2.Clear);
        Assert.Contains(rules.Rules, r => r.Kind == RuleKind.Staleness);
    }

    [Fact]
    public void Every_shipped_rule_has_a_summary_annotation()
    {
        var rules = RuleLoader.LoadDirectory(RepoPaths.Rules, RepoVocabulary.Load());
        Assert.All(rules.Rules, r => Assert.True(r.Annotations.ContainsKey("summary"), $"{r.Name} has no summary"));
    }

    [Fact]
    public void The_json_schema_lists_exactly_the_keys_the_loader_accepts()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Rules, "schema", "rules.schema.json")));
        var rule = doc.RootElement.GetProperty("$defs").GetProperty("rule");
        var keys = rule.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order().ToArray();
        Assert.Equal(RuleFileParser.RuleKeys.Order().ToArray(), keys);
        var match = doc.RootElement.GetProperty("$defs").GetProperty("match").GetProperty("properties").EnumerateObject().Select(p => p.Name).Order().ToArray();
        Assert.Equal(RuleFileParser.MatchKeys.Order().ToArray(), match);
        Assert.False(rule.GetProperty("additionalProperties").GetBoolean());
    }

    [Fact]
    public void Every_rule_file_points_editors_at_the_schema_and_the_readme_documents_every_construct()
    {
        foreach (var file in Directory.GetFiles(RepoPaths.Rules, "*.yaml"))
        {
            Assert.StartsWith("# yaml-language-server: $schema=schema/rules.schema.json", File.ReadAllText(file), StringComparison.Ordinal);
        }

        var readme = File.ReadAllText(Path.Combine(RepoPaths.Rules, "README.md"));
        foreach (var construct in RuleFileParser.RuleKeys.Concat(["rate(", "delta(", "avg(", "min(", "max(", "count(", "absent(", "abs(", "tags.", "{{ value }}", "staleness", "NaN", "sum(", "place.", "{{ place.name }}", "occupied"]))
        {
            Assert.Contains(construct, readme);
        }
    }
}
