using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Core.Loading;
using SmartCity.IoT.Rules.Compilation;
using SmartCity.IoT.Rules.Evaluation;
using SmartCity.IoT.Rules.Language;
using YamlDotNet.RepresentationModel;

namespace SmartCity.IoT.Rules.Loading;

/// <summary>A rule's expressions and severities: <c>expr</c>, <c>escalate</c>, <c>clear</c> and <c>value</c>.</summary>
internal static class LevelParser
{
    private static readonly string[] Severities = ["info", "warning", "major", "critical"];
    private static readonly string[] EscalationKeys = ["severity", "expr"];

    public static void Escalations(YamlSource source, YamlNode node, ExpressionCompiler compiler, List<ParsedLevel> levels)
    {
        if (node is not YamlSequenceNode seq)
        {
            source.Error(node, "'escalate' is a list of { severity, expr }");
            return;
        }

        foreach (var item in seq.Children)
        {
            if (item is not YamlMappingNode entry)
            {
                source.Error(item, "each escalation is a mapping { severity: major, expr: co2 > 1500 }");
                continue;
            }

            source.CheckKeys(entry, "an escalation", EscalationKeys);
            if (YamlSource.Get(entry, "severity") is not YamlScalarNode sev || YamlSource.Get(entry, "expr") is not YamlScalarNode expr)
            {
                source.Error(entry, "an escalation needs both 'severity' and 'expr'");
                continue;
            }

            var severity = Severity(source, sev);
            var compiled = Condition(source, compiler, expr);
            if (severity is not null && compiled is not null)
            {
                levels.Add(new ParsedLevel(severity.Value, expr, compiled));
            }
        }
    }

    /// <summary>Each escalation level needs its own severity.</summary>
    public static void CheckDistinctSeverities(YamlSource source, List<ParsedLevel> levels)
    {
        var duplicate = levels.GroupBy(l => l.Severity).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            source.Error(duplicate.Last().Node, $"two thresholds give severity {duplicate.Key.ToString().ToLowerInvariant()}; each escalation level needs its own severity");
        }
    }

    public static CompiledExpression? Condition(YamlSource source, ExpressionCompiler compiler, YamlScalarNode node) =>
        Compile(source, node, compiler.CompileCondition);

    public static EvalNode? Number(YamlSource source, ExpressionCompiler compiler, YamlScalarNode node) =>
        Compile(source, node, compiler.CompileNumber);

    /// <summary>The compiled expression, or null with the syntax or type error at its place in the file.</summary>
    private static T? Compile<T>(YamlSource source, YamlScalarNode node, Func<string, T> compile)
        where T : class
    {
        try
        {
            return compile(node.Value ?? "");
        }
        catch (RuleSyntaxException ex)
        {
            source.ErrorAt(node, ex.Position, ex.Message);
            return null;
        }
    }

    public static AlertSeverity? Severity(YamlSource source, YamlScalarNode node)
    {
        switch (node.Value)
        {
            case "info": return AlertSeverity.Info;
            case "warning": return AlertSeverity.Warning;
            case "major": return AlertSeverity.Major;
            case "critical": return AlertSeverity.Critical;
            default:
                var value = node.Value ?? "";
                source.Error(node, $"unknown severity '{value}': use info, warning, major or critical", DidYouMean.Closest(value, Severities));
                return null;
        }
    }
}
