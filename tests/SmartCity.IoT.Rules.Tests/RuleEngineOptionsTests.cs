using Microsoft.Extensions.Configuration;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Rules.Engine;
using SmartCity.IoT.Rules.Loading;
using SmartCity.IoT.Rules.Model;
using SmartCity.IoT.Rules.Tests.Support;

namespace SmartCity.IoT.Rules.Tests;

public sealed class RuleEngineOptionsTests
{
    [Fact]
    public void The_defaults_are_valid()
    {
        Assert.True(new RuleEngineOptionsValidator().Validate(null, new RuleEngineOptions()).Succeeded);
    }

    [Theory]
    [InlineData(15, 8, "RuleEngineOptions.MaxWindowSamples must be between 16 and 65536")]
    [InlineData(65537, 16, "RuleEngineOptions.MaxWindowSamples must be between 16 and 65536")]
    [InlineData(4096, 0, "RuleEngineOptions.InitialWindowCapacity must be between 1 and 65536")]
    [InlineData(64, 128, "Rules:InitialWindowCapacity (128) must not be above Rules:MaxWindowSamples (64)")]
    public void Window_sizes_out_of_range_are_rejected_naming_the_key(int max, int initial, string expected)
    {
        var options = new RuleEngineOptions { MaxWindowSamples = max, InitialWindowCapacity = initial };
        var result = new RuleEngineOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);

        // The engine applies the same checks when it is built without the host's validation.
        var h = new EngineHarness("rules: []");
        var ex = Assert.Throws<ArgumentException>(() => new RuleEngine(h.Rules, h.Vocabulary, h.Registry, h.Publisher, h.Time, options));
        Assert.Equal("options", ex.ParamName);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1, 60, "Rules:DefaultFlapping:MaxChanges (-1)")]
    [InlineData(1001, 60, "Rules:DefaultFlapping:MaxChanges (1001)")]
    [InlineData(6, -60, "Rules:DefaultFlapping:Window")]
    public void A_default_flapping_policy_out_of_range_is_rejected(int maxChanges, int windowSeconds, string expected)
    {
        var options = new RuleEngineOptions { DefaultFlapping = new FlappingPolicy(maxChanges, TimeSpan.FromSeconds(windowSeconds)) };
        var result = new RuleEngineOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_default_flapping_policy_is_rejected()
    {
        var result = new RuleEngineOptionsValidator().Validate(null, new RuleEngineOptions { DefaultFlapping = null! });
        Assert.True(result.Failed);
        Assert.Contains("Rules:DefaultFlapping must not be null", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void The_rules_section_binds_every_property()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Rules:MaxWindowSamples"] = "256",
            ["Rules:InitialWindowCapacity"] = "32",
            ["Rules:DefaultFlapping:MaxChanges"] = "4",
            ["Rules:DefaultFlapping:Window"] = "00:10:00",
        }).Build();

        var options = new RuleEngineOptions();
        config.GetSection(RuleEngineOptions.SectionName).Bind(options);

        Assert.Equal(256, options.MaxWindowSamples);
        Assert.Equal(32, options.InitialWindowCapacity);
        Assert.Equal(new FlappingPolicy(4, TimeSpan.FromMinutes(10)), options.DefaultFlapping);
        Assert.True(new RuleEngineOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void MaxWindowSamples_caps_each_window_dropping_the_oldest()
    {
        const string Yaml = "rules:\n  - name: avg_co2\n    expr: avg(co2, 15m) > 0\n"; // exact (shorter than BucketWindowsFrom)
        var h = new EngineHarness(Yaml, new RuleEngineOptions { MaxWindowSamples = 64, DefaultFlapping = FlappingPolicy.Disabled });
        for (var i = 0; i < 100; i++)
        {
            h.Send("ems-1", ("co2", i));
            h.Advance(TimeSpan.FromSeconds(1));
        }

        // The window holds the newest 64 samples (36..99), not all 100 (whose mean would be 49.5).
        var active = Assert.Single(h.Engine.ActiveAlerts());
        Assert.Equal(67.5, active.Value, 9);
    }

    [Theory]
    [InlineData(16, 16)]
    [InlineData(64, 64)]
    [InlineData(100, 128)] // rounded up to a power of two
    public void InitialWindowCapacity_sizes_each_new_window(int initial, int expected)
    {
        var vocabulary = TestVocabulary.Create();
        var rules = RuleLoader.LoadText("rules:\n  - name: avg_co2\n    expr: avg(co2, 15m) > 0\n", "test.yaml", vocabulary); // exact (shorter than BucketWindowsFrom)
        var group = new RuleGroup([.. rules.Compiled], new RuleEngineOptions { InitialWindowCapacity = initial, MaxWindowSamples = 4096 });
        var member = group.AddMember();
        var window = group.Lanes[0]!.Windows[0];
        Assert.Equal(expected, window.Capacity(member));
    }

    [Fact]
    public void A_flapping_section_with_one_key_keeps_the_default_of_the_other()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Rules:DefaultFlapping:MaxChanges"] = "0",
        }).Build();

        var options = new RuleEngineOptions();
        config.GetSection(RuleEngineOptions.SectionName).Bind(options);

        Assert.Equal(new FlappingPolicy(0, TimeSpan.FromMinutes(30)), options.DefaultFlapping);
        Assert.False(options.DefaultFlapping.Enabled);
    }
}
