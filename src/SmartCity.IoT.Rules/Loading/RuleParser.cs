using System.Text.RegularExpressions;
using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Core.Loading;
using SmartCity.IoT.Core.Model;
using SmartCity.IoT.Rules.Compilation;
using SmartCity.IoT.Rules.Evaluation;
using SmartCity.IoT.Rules.Model;
using YamlDotNet.RepresentationModel;

namespace SmartCity.IoT.Rules.Loading;

/// <summary>One rule mapping into a compiled rule: its name and kind, then each part through its own parser.</summary>
internal static partial class RuleParser
{
    private const string What = "a rule";
    private static readonly string[] NotForStaleness = ["expr", "clear", "escalate", "for", "keep_firing_for", "value"];

    public static CompiledRule? Parse(YamlSource source, YamlMappingNode node, FieldVocabulary vocabulary)
    {
        source.CheckKeys(node, What, RuleFileParser.RuleKeys);
        var ruleName = source.Scalar(node, "name", What);
        if (ruleName is null)
        {
            if (YamlSource.Get(node, "name") is null)
            {
                source.Error(node, "rule without 'name'");
            }

            return null;
        }

        if (!RuleNameRegex().IsMatch(ruleName.Value!))
        {
            source.Error(ruleName, $"rule name '{ruleName.Value}' must start with a letter and use letters, digits, _ . : -");
        }

        var kindNode = source.Scalar(node, "kind", What);
        var kindText = kindNode?.Value ?? "threshold";
        RuleKind? kind = kindText switch
        {
            "threshold" => RuleKind.Threshold,
            "staleness" => RuleKind.Staleness,
            _ => null,
        };
        if (kind is null)
        {
            source.Error(kindNode, $"unknown kind '{kindText}': use threshold (the default) or staleness", DidYouMean.Closest(kindText, ["threshold", "staleness"]));
            return null;
        }

        var severityNode = source.Scalar(node, "severity", What);
        var severity = severityNode is null ? AlertSeverity.Warning : LevelParser.Severity(source, severityNode) ?? AlertSeverity.Warning;
        var place = PlaceKeysParser.Parse(source, node, kind == RuleKind.Staleness);
        var compiler = new ExpressionCompiler(vocabulary) { OverPlaces = place.Over is not null };
        var levels = new List<ParsedLevel>();
        EvalNode? clear = null;
        EvalNode? explicitValue = null;
        YamlScalarNode? clearNode = null, valueNode = null;
        var forDuration = DurationReader.Read(source, node, "for");
        var keep = DurationReader.Read(source, node, "keep_firing_for");
        var after = DurationReader.Read(source, node, "after");

        if (kind == RuleKind.Staleness)
        {
            foreach (var forbidden in NotForStaleness)
            {
                if (YamlSource.Get(node, forbidden) is not null)
                {
                    source.Error(YamlSource.KeyNode(node, forbidden), $"'{forbidden}' does not apply to a staleness rule (it fires when a device sends nothing for 'after')");
                }
            }

            if (YamlSource.Get(node, "after") is not { } afterNode)
            {
                source.Error(ruleName, "a staleness rule needs 'after' (e.g. after: 15m)");
            }
            else if (after <= TimeSpan.Zero)
            {
                source.Error(afterNode, "'after' must be longer than 0");
            }
        }
        else
        {
            if (YamlSource.Get(node, "after") is not null)
            {
                source.Error(YamlSource.KeyNode(node, "after"), "'after' applies to staleness rules only; use 'for' for a hold time");
            }

            if (source.Scalar(node, "expr", What) is { } expr)
            {
                if (LevelParser.Condition(source, compiler, expr) is { } compiled)
                {
                    levels.Add(new ParsedLevel(severity, expr, compiled));
                }
            }
            else if (YamlSource.Get(node, "expr") is null)
            {
                source.Error(ruleName, $"rule '{ruleName.Value}' has no 'expr'");
            }

            if (YamlSource.Get(node, "escalate") is { } escalate)
            {
                LevelParser.Escalations(source, escalate, compiler, levels);
            }

            clearNode = source.Scalar(node, "clear", What);
            if (clearNode is not null)
            {
                clear = LevelParser.Condition(source, compiler, clearNode)?.Condition;
            }

            valueNode = source.Scalar(node, "value", What);
            if (valueNode is not null)
            {
                explicitValue = LevelParser.Number(source, compiler, valueNode);
            }
        }

        LevelParser.CheckDistinctSeverities(source, levels);
        var match = YamlSource.Get(node, "match") is { } m ? MatchParser.Parse(source, m) : RuleMatch.All;
        var labels = TemplateParser.Parse(source, node, "labels", isLabel: true);
        var annotations = TemplateParser.Parse(source, node, "annotations", isLabel: false);
        var flapping = YamlSource.Get(node, "flapping") is { } fl ? FlappingParser.Parse(source, fl) : null;
        levels.Sort((a, b) => b.Severity.CompareTo(a.Severity));

        var definition = new RuleDefinition
        {
            Name = ruleName.Value!,
            Kind = kind.Value,
            Description = source.Str(node, "description", What) ?? "",
            File = source.File,
            Line = (int)node.Start.Line,
            Match = match,
            Levels = levels.Select(l => new SeverityLevel(l.Severity, l.Node.Value!)).ToArray(),
            Clear = clearNode?.Value,
            Value = valueNode?.Value,
            For = forDuration,
            KeepFiringFor = keep,
            After = after,
            Severity = severity,
            Labels = labels.ToDictionary(kv => kv.Key, kv => kv.Value.Text),
            Annotations = annotations.ToDictionary(kv => kv.Key, kv => kv.Value.Text),
            Flapping = flapping,
            DefinitionHash = DefinitionHash.Of(node),
            Over = place.Over,
            StaleAfter = place.StaleAfter,
            During = place.Schedule is { Outside: false } ? place.ScheduleText : null,
            Outside = place.Schedule is { Outside: true } ? place.ScheduleText : null,
            TimeZone = place.TimeZone,
            PlaceAttributes = compiler.PlaceAttributes.Keys.ToArray(),
        };

        var windows = compiler.Windows.ToArray();
        return new CompiledRule
        {
            Definition = definition,
            LevelConditions = levels.Select(l => PlaceRuleParts.Gate(l.Compiled.Condition, place.Schedule)).ToArray(),
            LevelSeverities = levels.Select(l => l.Severity).ToArray(),
            LevelValues = levels.Select(l => l.Compiled.Value).ToArray(),
            LevelValueFields = levels.Select(l => l.Compiled.ValueField).ToArray(),
            Clear = PlaceRuleParts.GateClear(clear, place.Schedule),
            ExplicitValue = explicitValue,
            ForNs = DurationReader.ToNs(forDuration),
            KeepFiringForNs = DurationReader.ToNs(keep),
            AfterNs = DurationReader.ToNs(after),
            TriggerFields = compiler.TriggerFields.ToArray(),
            Windows = windows,
            FieldWindows = windows.Select((w, i) => (i, w.FieldId, w.DurationNs)).Where(x => x.FieldId >= 0).ToArray(),
            CountWindows = windows.Select((w, i) => (i, w.Condition, w.DurationNs)).Where(x => x.Condition is not null).Select(x => (x.i, x.Condition!, x.DurationNs)).ToArray(),
            AbsentFields = compiler.AbsentFields.ToArray(),
            ShortestAbsentNs = compiler.ShortestAbsentNs,
            Labels = labels,
            Annotations = annotations,
            Aggregate = PlaceRuleParts.Aggregate(place, compiler),
            Schedule = place.Schedule,
        };
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_.:-]*$")]
    private static partial Regex RuleNameRegex();
}
