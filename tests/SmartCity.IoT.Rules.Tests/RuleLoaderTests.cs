using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Core.Loading;
using SmartCity.IoT.Rules.Loading;
using SmartCity.IoT.Rules.Model;
using SmartCity.IoT.Rules.Tests.Support;

namespace SmartCity.IoT.Rules.Tests;

public sealed class RuleLoaderTests
{
    private static Diagnostic SingleError(string yaml)
    {
        var ex = Assert.Throws<DiagnosticException>(() => RuleLoader.LoadText(yaml, "bad.yaml", TestVocabulary.Create()));
        var error = Assert.Single(ex.Errors);
        Assert.Equal("bad.yaml", error.File);
        return error;
    }

    [Fact]
    public void Loads_a_rule_with_every_construct()
    {
        var rules = RuleLoader.LoadText("""
            rules:
              - name: co2_high
                description: CO2 too high
                match: { family: environment, tags: { building: "HQ*", floor: ["3", "4"] } }
                expr: co2 > 1000
                severity: warning
                escalate:
                  - { severity: critical, expr: co2 > 2500 }
                  - { severity: major, expr: co2 > 1500 }
                clear: co2 < 900
                for: 2m
                keep_firing_for: 1m30s
                labels: { team: facilities }
                annotations: { summary: "CO2 {{ value }} ppm on {{ building }}/{{ floor }}" }
                flapping: { max_changes: 4, window: 10m }
            """, "ok.yaml", TestVocabulary.Create());

        var rule = Assert.Single(rules.Rules);
        Assert.Equal("co2_high", rule.Name);
        Assert.Equal([AlertSeverity.Critical, AlertSeverity.Major, AlertSeverity.Warning], rule.Levels.Select(l => l.Severity));
        Assert.Equal(TimeSpan.FromMinutes(2), rule.For);
        Assert.Equal(TimeSpan.FromSeconds(90), rule.KeepFiringFor);
        Assert.Equal(new FlappingPolicy(4, TimeSpan.FromMinutes(10)), rule.Flapping);
        Assert.Equal(2, rule.Line);
        Assert.True(rule.Match.Matches("acme/x", "environment", "d1", [new("building", "HQ2"), new("floor", "4")]));
        Assert.False(rule.Match.Matches("acme/x", "environment", "d1", [new("building", "HQ2"), new("floor", "5")]));
        Assert.False(rule.Match.Matches("acme/x", "environment", "d1", [new("building", "Annex"), new("floor", "3")]));
        Assert.False(rule.Match.Matches("acme/x", "parking", "d1", [new("building", "HQ2"), new("floor", "3")]));
        Assert.False(rule.Match.Matches("acme/x", "environment", "d1", [new("floor", "3")]));
    }

    [Fact]
    public void Unknown_field_is_rejected_with_line_column_and_a_suggestion()
    {
        var error = SingleError("""
            rules:
              - name: r
                expr: co2 > 1000 and pm25 > 35
            """);
        Assert.Equal(3, error.Line);
        Assert.Equal(26, error.Column); // "    expr: " is 10 chars, then "co2 > 1000 and " is 15 -> column 26
        Assert.Contains("unknown field 'pm25'", error.Message);
        Assert.Contains("did you mean 'pm2_5'", error.Message);
    }

    [Fact]
    public void Positions_inside_quoted_and_block_scalars_point_at_the_offending_text()
    {
        var quoted = SingleError("""
            rules:
              - name: r
                expr: "co2 > 1000 and bogus > 1"
            """);
        Assert.Equal((3, 27), (quoted.Line, quoted.Column));

        var block = SingleError("""
            rules:
              - name: r
                expr: |
                  co2 > 1000
                  and bogus > 1
            """);
        Assert.Equal((5, 11), (block.Line, block.Column));
    }

    [Fact]
    public void Unknown_function_is_rejected()
    {
        var error = SingleError("rules:\n  - name: r\n    expr: median(co2, 5m) > 3\n");
        Assert.Equal((3, 11), (error.Line, error.Column));
        Assert.Contains("unknown function 'median'", error.Message);
    }

    [Theory]
    [InlineData("expr: avg(co2, 5x) > 3", 3, 20, "malformed duration '5x'")]
    [InlineData("expr: avg(co2, 10mm) > 3", 3, 20, "malformed duration '10mm'")]
    [InlineData("expr: co2 > 3\n    for: 5 minutes", 4, 10, "malformed duration '5 minutes'")]
    [InlineData("expr: co2 > 3\n    keep_firing_for: soon", 4, 22, "malformed duration 'soon'")]
    [InlineData("expr: avg(co2, 15) > 3", 3, 20, "must be a duration")]
    public void Malformed_duration_is_rejected(string body, int line, int column, string message)
    {
        var error = SingleError($"rules:\n  - name: r\n    {body}\n");
        Assert.Contains(message, error.Message);
        Assert.Equal((line, column), (error.Line, error.Column));
    }

    [Theory]
    [InlineData("tags.building > 3", "cannot compare a tag (text) with a number")]
    [InlineData("co2 == \"high\"", "cannot compare a number with a string")]
    [InlineData("bay_state > 1", "cannot compare a enum field with a number")]
    [InlineData("bay_state == \"broken\"", "'broken' is not a value of 'bay_state'")]
    [InlineData("bay_state < \"fault\"", "compare it with == or !=")]
    [InlineData("co2 + 5", "not a condition")]
    [InlineData("co2 > 5 and 7", "'and' needs conditions on both sides")]
    [InlineData("not co2", "'not' needs a condition")]
    [InlineData("avg(bay_state, 5m) > 1", "needs a numeric field")]
    [InlineData("count(co2, 5m) > 1", "count() counts readings where a condition held")]
    [InlineData("building == \"HQ\"", "unknown field 'building'; for a device tag write tags.building")]
    [InlineData("co2 > 1000 > 5", "cannot be chained")]
    [InlineData("co2 = 5", "write '=='")]
    [InlineData("(co2 > 5", "expected ')'")]
    public void Type_and_syntax_errors_are_rejected(string expr, string message)
    {
        var error = SingleError($"rules:\n  - name: r\n    expr: '{expr.Replace("'", "''")}'\n");
        Assert.Contains(message, error.Message);
        Assert.Equal(3, error.Line);
    }

    [Fact]
    public void Every_error_in_every_file_is_reported_and_duplicate_names_are_rejected()
    {
        var dir = Directory.CreateTempSubdirectory("rules-test-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "a.yaml"), "rules:\n  - name: dup\n    expr: co2 > 1\n  - name: bad\n    expr: co2 >\n");
            File.WriteAllText(Path.Combine(dir.FullName, "b.yaml"), "rules:\n  - name: dup\n    expr: co2 > 2\n    severty: major\n");
            File.WriteAllText(Path.Combine(dir.FullName, "notes.md"), "ignored");
            Directory.CreateDirectory(Path.Combine(dir.FullName, "schema"));
            File.WriteAllText(Path.Combine(dir.FullName, "schema", "rules.schema.json"), "{\"not\": \"a rule file\"}");

            var ex = Assert.Throws<DiagnosticException>(() => RuleLoader.LoadDirectory(dir.FullName, TestVocabulary.Create()));
            Assert.True(ex.Errors.Count == 2, ex.Message);
            Assert.Contains(ex.Errors, e => e.File.EndsWith("a.yaml", StringComparison.Ordinal) && e.Line == 5 && e.Message.Contains("ended", StringComparison.Ordinal));
            Assert.Contains(ex.Errors, e => e.File.EndsWith("b.yaml", StringComparison.Ordinal) && e.Line == 4 && e.Message.Contains("unknown key 'severty'", StringComparison.Ordinal) && e.Message.Contains("did you mean 'severity'", StringComparison.Ordinal));
            Assert.Contains("a.yaml:5:", ex.Message);

            File.WriteAllText(Path.Combine(dir.FullName, "b.yaml"), "rules:\n  - name: dup\n    expr: co2 > 2\n");
            File.WriteAllText(Path.Combine(dir.FullName, "a.yaml"), "rules:\n  - name: dup\n    expr: co2 > 1\n");
            var dup = Assert.Single(Assert.Throws<DiagnosticException>(() => RuleLoader.LoadDirectory(dir.FullName, TestVocabulary.Create())).Errors);
            Assert.Contains("already used at", dup.Message);
            Assert.EndsWith("b.yaml", dup.File);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("rules:\n  - name: r\n    expr: [co2]\n", "'expr' must be a single value")]
    [InlineData("rules:\n  - name: r\n    expr: co2 > 1\n    severity: urgent\n", "unknown severity 'urgent'")]
    [InlineData("rules:\n  - name: r\n    kind: staleness\n", "needs 'after'")]
    [InlineData("rules:\n  - name: r\n    kind: staleness\n    after: 5m\n    expr: co2 > 1\n", "does not apply to a staleness rule")]
    [InlineData("rules:\n  - name: r\n    expr: co2 > 1\n    labels: { severity: high }\n", "set by the engine")]
    [InlineData("rules:\n  - name: r\n    expr: co2 > 1\n    annotations: { summary: \"{{ value \" }\n", "without a closing")]
    [InlineData("rules:\n  - name: r\n    expr: co2 > 1\n    match: { building: HQ }\n", "unknown key 'building' in match")]
    [InlineData("rules:\n  - name: r\n", "has no 'expr'")]
    [InlineData("rules:\n  - expr: co2 > 1\n", "rule without 'name'")]
    [InlineData("rules: [ {name: r, expr: co2 > 1\n", "not valid YAML")]
    [InlineData("rulez: []\n", "unknown top-level key 'rulez'")]
    public void Structural_errors_are_rejected(string yaml, string message)
    {
        var ex = Assert.Throws<DiagnosticException>(() => RuleLoader.LoadText(yaml, "bad.yaml", TestVocabulary.Create()));
        Assert.Contains(ex.Errors, e => e.Message.Contains(message, StringComparison.Ordinal) && e.Line > 0 && e.Column > 0);
    }

    [Fact]
    public void Json_rule_files_load_with_positions()
    {
        var rules = RuleLoader.LoadText("""{"rules": [{"name": "j", "expr": "co2 > 1000", "for": "1m"}]}""", "r.json", TestVocabulary.Create());
        Assert.Equal("j", Assert.Single(rules.Rules).Name);
        var ex = Assert.Throws<DiagnosticException>(() => RuleLoader.LoadText("{\"rules\": [\n  {\"name\": \"j\", \"expr\": \"co2 > nope\"}\n]}", "r.json", TestVocabulary.Create()));
        Assert.Equal((2, 32), (ex.Errors[0].Line, ex.Errors[0].Column));
    }

    [Fact]
    public void Definition_hash_ignores_position_and_key_order_but_not_content()
    {
        var v = TestVocabulary.Create();
        var a = RuleLoader.LoadText("rules:\n  - name: r\n    expr: co2 > 1\n    for: 1m\n", "a.yaml", v).Rules[0];
        var b = RuleLoader.LoadText("# moved\n\nrules:\n  - for: 1m\n    name: r\n    expr: co2 > 1\n", "b.yaml", v).Rules[0];
        var c = RuleLoader.LoadText("rules:\n  - name: r\n    expr: co2 > 2\n    for: 1m\n", "a.yaml", v).Rules[0];
        Assert.Equal(a.DefinitionHash, b.DefinitionHash);
        Assert.NotEqual(a.DefinitionHash, c.DefinitionHash);
    }
}
