using SmartCity.IoT.Core.Model;
using SmartCity.IoT.Rules.Engine;
using SmartCity.IoT.Rules.Loading;
using SmartCity.IoT.Rules.Model;
using SmartCity.IoT.Rules.Tests.Support;

namespace SmartCity.IoT.Rules.Tests;

/// <summary>The engine is the one owner of the running rules: the host reads them from it instead of keeping copies.</summary>
public sealed class RuleOwnershipTests
{
    private const string Before = "rules:\n  - name: co2_high\n    expr: co2 > 1000\n";
    private const string After = "rules:\n  - name: co2_high\n    expr: co2 > 1000\n  - name: hot\n    expr: temperature > 30\n";

    [Fact]
    public void Reload_replaces_the_rules_raises_the_version_and_tells_subscribers_after_binding()
    {
        var h = new EngineHarness(Before);
        Assert.Same(h.Rules, h.Engine.Rules);
        Assert.Equal(1, h.Engine.RulesVersion);
        h.Send("ems-1", ("co2", 1200), ("temperature", 35));

        var next = RuleLoader.LoadText(After, "test.yaml", h.Vocabulary);
        var seen = new List<(RuleSet Rules, long Version, long EngineVersion, RulePhase? Hot)>();
        h.Engine.RulesReloaded += (sender, e) =>
        {
            Assert.Same(h.Engine, sender);
            seen.Add((e.Rules, e.Version, h.Engine.RulesVersion, h.Engine.GetPhase("hot", h.Environment.Id, "ems-1")));
        };
        h.Engine.Reload(next);

        Assert.Same(next, h.Engine.Rules);
        Assert.Equal(2, h.Engine.RuleCount);
        Assert.Equal(2, h.Engine.RulesVersion);
        var (rules, version, engineVersion, hot) = Assert.Single(seen);
        Assert.Same(next, rules);
        Assert.Equal(2, version);
        Assert.Equal(2, engineVersion);
        Assert.Equal(RulePhase.Inactive, hot); // the device was already bound to the new rule when the event came
    }

    [Fact]
    public void Reload_with_rules_of_another_vocabulary_is_refused_and_keeps_the_running_rules()
    {
        var h = new EngineHarness(Before);
        var other = new FieldVocabulary([new FieldDefinition(0, "co2", "ppm", FieldType.Float, 0, 40000, null)]);
        var foreign = RuleLoader.LoadText(Before, "test.yaml", other);
        var raised = 0;
        h.Engine.RulesReloaded += (_, _) => raised++;

        var ex = Assert.Throws<ArgumentException>(() => h.Engine.Reload(foreign));

        Assert.Equal("rules", ex.ParamName);
        Assert.Contains("different vocabulary", ex.Message, StringComparison.Ordinal);
        Assert.Same(h.Rules, h.Engine.Rules);
        Assert.Equal(1, h.Engine.RulesVersion);
        Assert.Equal(0, raised);
    }
}
