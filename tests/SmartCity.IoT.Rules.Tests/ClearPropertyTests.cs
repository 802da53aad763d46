using FsCheck;
using FsCheck.Fluent;
using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Rules.Engine;
using SmartCity.IoT.Rules.Tests.Support;

namespace SmartCity.IoT.Rules.Tests;

/// <summary>Properties over random reading sequences: a clear condition never resolves an alert while its expr holds.</summary>
public sealed class ClearPropertyTests
{
    private static readonly double[] Specials = [double.NaN, double.PositiveInfinity, double.NegativeInfinity];

    private static Gen<(double Value, int Seconds)[]> Steps() =>
        Gen.Choose(0, 2000).Select(v => (double)v)
            .Zip(Gen.Choose(0, 120))
            .Select(t => (t.Item1, t.Item2))
            .ArrayOf()
            .Select(a => a.Select((x, i) => i % 17 == 16 ? (Specials[i % 3], x.Item2) : x).ToArray());

    private static bool NeverResolvesWhileExprHolds(string rule, Func<double, bool> expr, (double Value, int Seconds)[] steps)
    {
        var h = new EngineHarness(rule);
        foreach (var (value, seconds) in steps)
        {
            h.TickFor(TimeSpan.FromSeconds(seconds % 5));
            h.Advance(TimeSpan.FromSeconds(seconds));
            var before = h.Publisher.Alerts.Count;
            h.Send("ems-1", ("co2", value));
            foreach (var alert in h.Publisher.Alerts.Skip(before))
            {
                if (alert.Status == AlertStatus.Resolved && expr(value))
                {
                    return false;
                }
            }

            // Firing/resolved alternate: the state machine never double-fires or double-resolves.
            var statuses = h.Publisher.Alerts.Where(a => a.Status is AlertStatus.Firing or AlertStatus.Resolved).Select(a => a.Status).ToList();
            for (var i = 1; i < statuses.Count; i++)
            {
                if (statuses[i] == statuses[i - 1])
                {
                    return false;
                }
            }
        }

        return true;
    }

    [Fact]
    public void Complementary_clear_never_resolves_while_expr_holds() =>
        Prop.ForAll(Steps().ToArbitrary(), steps => NeverResolvesWhileExprHolds(
            "rules:\n  - name: r\n    expr: co2 > 1000\n    clear: co2 <= 1000\n    for: 30s\n    keep_firing_for: 20s\n",
            v => double.IsFinite(v) && v > 1000,
            steps)).QuickCheckThrowOnFailure();

    [Fact]
    public void Hysteresis_clear_never_resolves_while_expr_holds() =>
        Prop.ForAll(Steps().ToArbitrary(), steps => NeverResolvesWhileExprHolds(
            "rules:\n  - name: r\n    expr: co2 > 1000\n    clear: co2 < 900\n    escalate:\n      - { severity: critical, expr: co2 > 1500 }\n",
            v => double.IsFinite(v) && v > 1000,
            steps)).QuickCheckThrowOnFailure();

    [Fact]
    public void Overlapping_clear_still_never_resolves_while_expr_holds() =>
        Prop.ForAll(Steps().ToArbitrary(), steps => NeverResolvesWhileExprHolds(
            "rules:\n  - name: r\n    expr: co2 > 1000\n    clear: co2 < 1200\n",
            v => double.IsFinite(v) && v > 1000,
            steps)).QuickCheckThrowOnFailure();

    [Fact]
    public void Every_resolve_happens_while_clear_holds()
    {
        Prop.ForAll(Steps().ToArbitrary(), steps =>
        {
            var h = new EngineHarness("rules:\n  - name: r\n    expr: co2 > 1000\n    clear: co2 < 900\n");
            foreach (var (value, seconds) in steps)
            {
                h.Advance(TimeSpan.FromSeconds(seconds));
                var before = h.Publisher.Alerts.Count;
                h.Send("ems-1", ("co2", value));
                if (h.Publisher.Alerts.Skip(before).Any(a => a.Status == AlertStatus.Resolved) && !(value < 900))
                {
                    return false;
                }

                if (h.Publisher.Alerts.Skip(before).Any(a => a.Status == AlertStatus.Firing) && !(value > 1000))
                {
                    return false;
                }
            }

            return h.Engine.GetPhase("r", h.Environment.Id, "ems-1") is null or RulePhase.Inactive or RulePhase.Firing or RulePhase.Resolved;
        }).QuickCheckThrowOnFailure();
    }
}
