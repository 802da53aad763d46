using Microsoft.Extensions.Logging;
using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Rules.Engine;
using SmartCity.IoT.Rules.Evaluation;
using SmartCity.IoT.Rules.Loading;
using SmartCity.IoT.Rules.Model;
using SmartCity.IoT.Rules.Tests.Support;

namespace SmartCity.IoT.Rules.Tests;

/// <summary>
/// A failure inside rule evaluation (a bug) never escapes the engine: the reading is stored by the caller, the other
/// rules still run, the failure is counted, logged once per rule and listed in <see cref="RuleEngine.BrokenRules"/>.
/// </summary>
public sealed class RuleFailureTests
{
    private const string Rules = """
        rules:
          - name: boom
            expr: co2 > 1
          - name: ok
            expr: co2 > 1000
          - name: silent
            expr: absent(tvoc, 10m)
        """;

    [Fact]
    public void A_rule_that_throws_is_counted_logged_once_and_listed_while_the_other_rules_run()
    {
        var h = new EngineHarness(Rules);
        var logger = new CapturingLogger();
        h.Engine = new RuleEngine(h.Rules, h.Vocabulary, h.Registry, h.Publisher, h.Time, new RuleEngineOptions { DefaultFlapping = FlappingPolicy.Disabled }, logger);
        Break(h.Rules, "boom");

        h.Send("ems-1", ("co2", 1200)); // does not throw
        h.Send("ems-1", ("co2", 1300));
        h.Send("ems-2", ("co2", 1300));

        Assert.Equal(["ok", "ok"], h.Publisher.Alerts.Select(a => a.RuleName));
        var broken = Assert.Single(h.Engine.BrokenRules);
        Assert.Equal(("boom", "InvalidOperationException: the rule's node is broken", "acme/ems-200/ems-1", 3L), (broken.RuleName, broken.FirstError, broken.FirstDevice, broken.Failures));
        Assert.Equal(h.Time.GetUtcNow(), broken.LastFailedAt);
        var log = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Error, log.Level);
        Assert.Contains("Rule boom (test.yaml:2)", log.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidOperationException>(log.Error);

        // Timers keep running around it too.
        h.TickFor(TimeSpan.FromMinutes(11));
        Assert.Contains(h.Publisher.Alerts, a => a.RuleName == "silent" && a.Status == AlertStatus.Firing);

        // A reload that changes the rule clears it; one that keeps it unchanged keeps it listed.
        h.Engine.Reload(RuleLoader.LoadText(Rules, "test.yaml", h.Vocabulary));
        Assert.Single(h.Engine.BrokenRules);
        h.Engine.Reload(RuleLoader.LoadText(Rules.Replace("co2 > 1\n", "co2 > 2\n", StringComparison.Ordinal), "test.yaml", h.Vocabulary));
        Assert.Empty(h.Engine.BrokenRules);
    }

    [Fact]
    public void A_sink_that_throws_on_a_transition_does_not_stop_the_reading_or_the_other_rules()
    {
        var h = new EngineHarness(Rules);
        var sink = new ThrowingSink("boom");
        h.Engine = new RuleEngine(h.Rules, h.Vocabulary, h.Registry, sink, h.Time, new RuleEngineOptions { DefaultFlapping = FlappingPolicy.Disabled });
        h.Send("ems-1", ("co2", 1200));
        Assert.Equal(["ok"], sink.Delivered.Select(a => a.RuleName));
        Assert.Equal("boom", Assert.Single(h.Engine.BrokenRules).RuleName);
    }

    private static void Break(RuleSet rules, string name) =>
        rules.Compiled.Single(r => r.Name == name).LevelConditions[0] = new ThrowingNode();

    private sealed class ThrowingNode : EvalNode
    {
        public override double Eval(in EvalContext ctx) => throw new InvalidOperationException("the rule's node is broken");
    }

    private sealed class ThrowingSink(string rule) : IAlertSink
    {
        public List<Alert> Delivered { get; } = [];

        public void OnTransition(Alert alert)
        {
            if (alert.RuleName == rule)
            {
                throw new IOException("sink failed");
            }

            Delivered.Add(alert);
        }
    }

    private sealed class CapturingLogger : ILogger<RuleEngine>
    {
        public List<(LogLevel Level, string Message, Exception? Error)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, formatter(state, exception), exception));
    }
}
