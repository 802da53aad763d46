using System.Text;
using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Rules.Engine;
using SmartCity.IoT.Rules.Model;
using SmartCity.IoT.Rules.Tests.Support;

namespace SmartCity.IoT.Rules.Tests;

/// <summary>
/// Any number of rules on one device: the skip hints (quiet and idle masks) have a bit per rule, not 64 in all. Mixed
/// kinds at every index: plain thresholds (quiet), thresholds with <c>for</c>, and window rules (never quiet).
/// </summary>
public sealed class ManyRulesTests
{
    /// <summary>Rule i: <c>co2 &gt; 500 + i</c> as a plain threshold, with <c>for: 30s</c> (i % 5 == 3), or as <c>avg(co2, 1m)</c> (i % 5 == 4).</summary>
    private static string Rules(int count)
    {
        var sb = new StringBuilder("rules:\n");
        for (var i = 0; i < count; i++)
        {
            sb.Append($"  - name: r{i:D4}\n");
            sb.Append(i % 5 == 4 ? $"    expr: avg(co2, 1m) > {500 + i}\n" : $"    expr: co2 > {500 + i}\n");
            if (i % 5 == 3)
            {
                sb.Append("    for: 30s\n");
            }
        }

        return sb.ToString();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(200)]
    [InlineData(1000)]
    public void Every_rule_fires_and_resolves_exactly_when_its_condition_says(int count)
    {
        // Windows capped at their inline size, so steady readings at one instant never grow them (growing allocates).
        var h = new EngineHarness(Rules(count), new RuleEngineOptions { DefaultFlapping = FlappingPolicy.Disabled, MaxWindowSamples = 16 });
        h.Send("ems-1", ("co2", 400));
        Assert.Empty(h.Publisher.Alerts);

        // Half the rules hold (their threshold is below the value); windows only hold the new value after 2 minutes.
        var value = 500 + (count / 2) + 0.5;
        h.Advance(TimeSpan.FromMinutes(2));
        h.Send("ems-1", ("co2", value));
        h.Advance(TimeSpan.FromSeconds(31));
        h.Send("ems-1", ("co2", value)); // the 'for: 30s' rules fire now
        var expected = Enumerable.Range(0, count).Where(i => 500 + i < value).Select(i => $"r{i:D4}").ToArray();
        Assert.Equal(expected, h.Publisher.Alerts.Where(a => a.Status == AlertStatus.Firing).Select(a => a.RuleName).Order());
        for (var i = 0; i < count; i++)
        {
            Assert.Equal(500 + i < value ? RulePhase.Firing : RulePhase.Inactive, h.Phase($"r{i:D4}", "ems-1"));
        }

        // Steady readings change nothing, and allocate nothing (the harness's Send formats messages, so not through it).
        var published = h.Publisher.Alerts.Count;
        h.Vocabulary.TryGet("co2", out var co2);
        var device = "ems-1".AsMemory();
        void Steady(int readings)
        {
            for (var n = 0; n < readings; n++)
            {
                h.Reading.Reset();
                h.Reading.Profile = h.Environment;
                h.Reading.DeviceId = device;
                h.Reading.Set(co2.Id, value);
                h.Registry.Observe(h.Reading);
                h.Engine.Evaluate(h.Reading);
            }
        }

        Steady(1_000); // past the JIT's tiering, which may allocate on the calling thread
        var before = GC.GetAllocatedBytesForCurrentThread();
        Steady(200);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(published, h.Publisher.Alerts.Count);

        // Back below every threshold (the window's old samples age out): all resolve, then stay quiet.
        h.Advance(TimeSpan.FromMinutes(2));
        h.Send("ems-1", ("co2", 400));
        Assert.Equal(expected, h.Publisher.Alerts.Where(a => a.Status == AlertStatus.Resolved).Select(a => a.RuleName).Order());
        h.Send("ems-1", ("co2", 400));
        Assert.Equal(2 * expected.Length, h.Publisher.Alerts.Count);
        Assert.Empty(h.Engine.BrokenRules);
    }

    [Fact]
    public void A_window_rule_after_64_quiet_rules_evaluates_its_window()
    {
        // The reproduction of issue 13 item 10: rule 64 used to test bit 0 (64 mod 64), take the quiet path and throw.
        var sb = new StringBuilder("rules:\n");
        for (var i = 0; i < 64; i++)
        {
            sb.Append($"  - name: t{i}\n    expr: temperature > {100 + i}\n");
        }

        sb.Append("  - name: co2_avg\n    expr: avg(co2, 1m) > 1000\n");
        var h = new EngineHarness(sb.ToString());
        h.Send("ems-1", ("co2", 1200), ("temperature", 20));
        var alert = Assert.Single(h.Publisher.Alerts);
        Assert.Equal(("co2_avg", 1200.0), (alert.RuleName, alert.Value));
        Assert.Empty(h.Engine.BrokenRules);
    }
}
