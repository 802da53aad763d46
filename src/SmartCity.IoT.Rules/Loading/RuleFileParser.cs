using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Core.Model;
using SmartCity.IoT.Rules.Compilation;
using SmartCity.IoT.Rules.Evaluation;
using SmartCity.IoT.Rules.Language;
using SmartCity.IoT.Rules.Model;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SmartCity.IoT.Rules.Loading;

/// <summary>Reads one rule file (YAML, or JSON which YAML reads too) into compiled rules, collecting errors with positions.</summary>
internal sealed partial class RuleFileParser(string file, string text, FieldVocabulary vocabulary, List<RuleLoadError> errors)
{
    internal static readonly string[] RuleKeys = ["name", "kind", "description", "match", "expr", "severity", "escalate", "clear", "value", "for", "keep_firing_for", "after", "labels", "annotations", "flapping"];
    internal static readonly string[] MatchKeys = ["family", "profile", "device", "tags"];
    internal static readonly string[] ReservedLabels = ["alertname", "severity", "device", "family", "model", "status"];
    private readonly string[] _lines = text.Split('\n');

    public List<CompiledRule> Parse()
    {
        var result = new List<CompiledRule>();
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            Error(ex.Start, $"not valid YAML/JSON: {Unwrap(ex)}");
            return result;
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return result; // an empty file holds no rules
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            Error(stream.Documents[0].RootNode.Start, "a rule file is a mapping with a 'rules:' list");
            return result;
        }

        YamlSequenceNode? rules = null;
        foreach (var (key, value) in root.Children)
        {
            var name = ((YamlScalarNode)key).Value;
            if (name == "rules")
            {
                rules = value as YamlSequenceNode;
                if (rules is null)
                {
                    Error(value.Start, "'rules' must be a list of rules");
                }
            }
            else if (name != "$schema")
            {
                Error(key.Start, $"unknown top-level key '{name}': a rule file has 'rules:' only");
            }
        }

        if (rules is null)
        {
            if (!root.Children.Keys.Any(k => ((YamlScalarNode)k).Value == "rules"))
            {
                Error(root.Start, "missing 'rules:' list");
            }

            return result;
        }

        foreach (var node in rules.Children)
        {
            if (node is not YamlMappingNode ruleNode)
            {
                Error(node.Start, "each rule is a mapping with at least 'name' and 'expr'");
                continue;
            }

            var before = errors.Count;
            var rule = ParseRule(ruleNode);
            if (rule is not null && errors.Count == before)
            {
                result.Add(rule);
            }
        }

        return result;
    }

    private CompiledRule? ParseRule(YamlMappingNode node)
    {
        var map = new Dictionary<string, (YamlScalarNode Key, YamlNode Value)>(StringComparer.Ordinal);
        foreach (var (k, v) in node.Children)
        {
            var key = (YamlScalarNode)k;
            var name = key.Value ?? "";
            if (!RuleKeys.Contains(name))
            {
                Error(key.Start, $"unknown key '{name}'{SuggestKey(name, RuleKeys)}; a rule has {string.Join(", ", RuleKeys)}{FlowHint(name)}");
                continue;
            }

            map[name] = (key, v);
        }

        var ruleName = Scalar(map, "name");
        if (ruleName is null)
        {
            Error(node.Start, "rule without 'name'");
            return null;
        }

        if (!RuleNameRegex().IsMatch(ruleName.Value!))
        {
            Error(ruleName.Start, $"rule name '{ruleName.Value}' must start with a letter and use letters, digits, _ . : -");
        }

        var kindText = Scalar(map, "kind")?.Value ?? "threshold";
        var kind = kindText switch
        {
            "threshold" => RuleKind.Threshold,
            "staleness" => RuleKind.Staleness,
            _ => (RuleKind?)null,
        };
        if (kind is null)
        {
            Error(map["kind"].Value.Start, $"unknown kind '{kindText}': use threshold (the default) or staleness");
            return null;
        }

        var severityNode = Scalar(map, "severity");
        var severity = severityNode is null ? AlertSeverity.Warning : ParseSeverity(severityNode) ?? AlertSeverity.Warning;
        var compiler = new ExpressionCompiler(vocabulary);
        var levels = new List<(AlertSeverity Severity, string Text, CompiledExpression Compiled, YamlNode Node)>();
        EvalNode? clear = null;
        EvalNode? explicitValue = null;
        var forDuration = Duration(map, "for");
        var keep = Duration(map, "keep_firing_for");
        var after = Duration(map, "after");

        if (kind == RuleKind.Staleness)
        {
            foreach (var forbidden in new[] { "expr", "clear", "escalate", "for", "keep_firing_for", "value" })
            {
                if (map.TryGetValue(forbidden, out var entry))
                {
                    Error(entry.Key.Start, $"'{forbidden}' does not apply to a staleness rule (it fires when a device sends nothing for 'after')");
                }
            }

            if (!map.ContainsKey("after"))
            {
                Error(ruleName.Start, "a staleness rule needs 'after' (e.g. after: 15m)");
            }
            else if (after <= TimeSpan.Zero)
            {
                Error(map["after"].Value.Start, "'after' must be longer than 0");
            }
        }
        else
        {
            if (map.ContainsKey("after"))
            {
                Error(map["after"].Key.Start, "'after' applies to staleness rules only; use 'for' for a hold time");
            }

            var expr = Scalar(map, "expr");
            if (expr is null)
            {
                Error(ruleName.Start, $"rule '{ruleName.Value}' has no 'expr'");
            }
            else
            {
                var compiled = CompileCondition(compiler, expr);
                if (compiled is not null)
                {
                    levels.Add((severity, expr.Value!, compiled, expr));
                }
            }

            if (map.TryGetValue("escalate", out var esc))
            {
                ParseEscalations(esc.Value, compiler, levels);
            }

            var clearNode = Scalar(map, "clear");
            if (clearNode is not null)
            {
                clear = CompileCondition(compiler, clearNode)?.Condition;
            }

            var valueNode = Scalar(map, "value");
            if (valueNode is not null)
            {
                try
                {
                    explicitValue = compiler.CompileNumber(valueNode.Value!);
                }
                catch (RuleSyntaxException ex)
                {
                    ErrorAt(valueNode, ex);
                }
            }
        }

        var dupSeverity = levels.GroupBy(l => l.Severity).FirstOrDefault(g => g.Count() > 1);
        if (dupSeverity is not null)
        {
            Error(dupSeverity.Last().Node.Start, $"two thresholds give severity {dupSeverity.Key.ToString().ToLowerInvariant()}; each escalation level needs its own severity");
        }

        var match = map.TryGetValue("match", out var m) ? ParseMatch(m.Value) : RuleMatch.All;
        var labels = Templates(map, "labels", isLabel: true);
        var annotations = Templates(map, "annotations", isLabel: false);
        var flapping = map.TryGetValue("flapping", out var fl) ? ParseFlapping(fl.Value) : null;
        levels.Sort((a, b) => b.Severity.CompareTo(a.Severity));

        var definition = new RuleDefinition
        {
            Name = ruleName.Value!,
            Kind = kind.Value,
            Description = Scalar(map, "description")?.Value ?? "",
            File = file,
            Line = (int)node.Start.Line,
            Match = match,
            Levels = levels.Select(l => new SeverityLevel(l.Severity, l.Text)).ToArray(),
            Clear = Scalar(map, "clear")?.Value,
            Value = Scalar(map, "value")?.Value,
            For = forDuration,
            KeepFiringFor = keep,
            After = after,
            Severity = severity,
            Labels = labels.ToDictionary(kv => kv.Key, kv => kv.Value.Text),
            Annotations = annotations.ToDictionary(kv => kv.Key, kv => kv.Value.Text),
            Flapping = flapping,
            DefinitionHash = Hash(node),
        };

        var windows = compiler.Windows.ToArray();
        return new CompiledRule
        {
            Definition = definition,
            LevelConditions = levels.Select(l => l.Compiled.Condition).ToArray(),
            LevelSeverities = levels.Select(l => l.Severity).ToArray(),
            LevelValues = levels.Select(l => l.Compiled.Value).ToArray(),
            Clear = clear,
            ExplicitValue = explicitValue,
            ForNs = ToNs(forDuration),
            KeepFiringForNs = ToNs(keep),
            AfterNs = ToNs(after),
            TriggerFields = compiler.TriggerFields.ToArray(),
            Windows = windows,
            FieldWindows = windows.Select((w, i) => (i, w.FieldId, w.DurationNs)).Where(x => x.FieldId >= 0).ToArray(),
            CountWindows = windows.Select((w, i) => (i, w.Condition, w.DurationNs)).Where(x => x.Condition is not null).Select(x => (x.i, x.Condition!, x.DurationNs)).ToArray(),
            AbsentFields = compiler.AbsentFields.ToArray(),
            Labels = labels,
            Annotations = annotations,
        };
    }

    private void ParseEscalations(YamlNode node, ExpressionCompiler compiler, List<(AlertSeverity, string, CompiledExpression, YamlNode)> levels)
    {
        if (node is not YamlSequenceNode seq)
        {
            Error(node.Start, "'escalate' is a list of { severity, expr }");
            return;
        }

        foreach (var item in seq.Children)
        {
            if (item is not YamlMappingNode entry)
            {
                Error(item.Start, "each escalation is a mapping { severity: major, expr: co2 > 1500 }");
                continue;
            }

            YamlScalarNode? sev = null, expr = null;
            foreach (var (k, v) in entry.Children)
            {
                var key = ((YamlScalarNode)k).Value;
                if (key == "severity") sev = v as YamlScalarNode;
                else if (key == "expr") expr = v as YamlScalarNode;
                else Error(k.Start, $"unknown key '{key}' in an escalation: use severity and expr{FlowHint(key)}");
            }

            if (sev is null || expr is null)
            {
                Error(entry.Start, "an escalation needs both 'severity' and 'expr'");
                continue;
            }

            var severity = ParseSeverity(sev);
            var compiled = CompileCondition(compiler, expr);
            if (severity is not null && compiled is not null)
            {
                levels.Add((severity.Value, expr.Value!, compiled, expr));
            }
        }
    }

    private RuleMatch ParseMatch(YamlNode node)
    {
        if (node is not YamlMappingNode map)
        {
            Error(node.Start, "'match' is a mapping: family, profile, device, tags");
            return RuleMatch.All;
        }

        IReadOnlyList<string> families = [], profiles = [], devices = [];
        var tags = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (k, v) in map.Children)
        {
            var key = ((YamlScalarNode)k).Value ?? "";
            switch (key)
            {
                case "family": families = Patterns(v); break;
                case "profile": profiles = Patterns(v); break;
                case "device": devices = Patterns(v); break;
                case "tags":
                    if (v is not YamlMappingNode tagMap)
                    {
                        Error(v.Start, "'tags' is a mapping of tag name to a value or a list of values (wildcards * and ? allowed)");
                        break;
                    }

                    foreach (var (tk, tv) in tagMap.Children)
                    {
                        tags[((YamlScalarNode)tk).Value ?? ""] = Patterns(tv);
                    }

                    break;
                default:
                    Error(k.Start, $"unknown key '{key}' in match{SuggestKey(key, MatchKeys)}: use family, profile, device, tags");
                    break;
            }
        }

        return new RuleMatch(families, profiles, devices, tags);
    }

    private List<string> Patterns(YamlNode node)
    {
        switch (node)
        {
            case YamlScalarNode s when !string.IsNullOrEmpty(s.Value):
                return [s.Value];
            case YamlSequenceNode seq:
                var list = new List<string>();
                foreach (var item in seq.Children)
                {
                    if (item is YamlScalarNode { Value: { Length: > 0 } v })
                    {
                        list.Add(v);
                    }
                    else
                    {
                        Error(item.Start, "expected a value (text; wildcards * and ? allowed)");
                    }
                }

                if (list.Count == 0)
                {
                    Error(node.Start, "an empty list matches nothing; remove the key to match everything");
                }

                return list;
            default:
                Error(node.Start, "expected a value or a list of values");
                return [];
        }
    }

    private Dictionary<string, Template> Templates(Dictionary<string, (YamlScalarNode Key, YamlNode Value)> map, string key, bool isLabel)
    {
        var result = new Dictionary<string, Template>(StringComparer.Ordinal);
        if (!map.TryGetValue(key, out var entry))
        {
            return result;
        }

        if (entry.Value is not YamlMappingNode m)
        {
            Error(entry.Value.Start, $"'{key}' is a mapping of name to text");
            return result;
        }

        foreach (var (k, v) in m.Children)
        {
            var name = ((YamlScalarNode)k).Value ?? "";
            if (isLabel && !LabelNameRegex().IsMatch(name))
            {
                Error(k.Start, $"label name '{name}' must match [A-Za-z_][A-Za-z0-9_]*");
                continue;
            }

            if (isLabel && ReservedLabels.Contains(name))
            {
                Error(k.Start, $"label '{name}' is set by the engine and cannot be overridden");
                continue;
            }

            if (v is not YamlScalarNode s)
            {
                Error(v.Start, $"the value of {key}.{name} must be text");
                continue;
            }

            try
            {
                var template = Template.Parse(s.Value ?? "");
                foreach (var (_, format) in FormatsOf(s.Value ?? ""))
                {
                    _ = 1.5.ToString(format, CultureInfo.InvariantCulture);
                }

                result[name] = template;
            }
            catch (RuleSyntaxException ex)
            {
                ErrorAt(s, ex);
            }
            catch (FormatException)
            {
                Error(s.Start, $"a number format in {key}.{name} is not valid (use .NET formats such as F1 or 0.0)");
            }
        }

        return result;
    }

    private static IEnumerable<(string Name, string Format)> FormatsOf(string text)
    {
        foreach (Match match in FormatRegex().Matches(text))
        {
            yield return (match.Groups[1].Value, match.Groups[2].Value.Trim());
        }
    }

    private FlappingPolicy? ParseFlapping(YamlNode node)
    {
        if (node is YamlScalarNode { Value: "off" or "false" or "disabled" })
        {
            return FlappingPolicy.Disabled;
        }

        if (node is not YamlMappingNode map)
        {
            Error(node.Start, "'flapping' is 'off' or { max_changes: 6, window: 30m }");
            return null;
        }

        var max = 0;
        var window = TimeSpan.Zero;
        foreach (var (k, v) in map.Children)
        {
            var key = ((YamlScalarNode)k).Value;
            var value = (v as YamlScalarNode)?.Value ?? "";
            if (key == "max_changes")
            {
                if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out max) || max < 2)
                {
                    Error(v.Start, "max_changes must be a whole number of at least 2");
                }
            }
            else if (key == "window")
            {
                if (!DurationParser.TryParse(value, out window) || window <= TimeSpan.Zero)
                {
                    Error(v.Start, $"malformed duration '{value}': {DurationParser.Help}");
                }
            }
            else
            {
                Error(k.Start, $"unknown key '{key}' in flapping: use max_changes and window");
            }
        }

        return new FlappingPolicy(max, window);
    }

    private CompiledExpression? CompileCondition(ExpressionCompiler compiler, YamlScalarNode node)
    {
        try
        {
            return compiler.CompileCondition(node.Value ?? "");
        }
        catch (RuleSyntaxException ex)
        {
            ErrorAt(node, ex);
            return null;
        }
    }

    private AlertSeverity? ParseSeverity(YamlScalarNode node)
    {
        switch (node.Value)
        {
            case "info": return AlertSeverity.Info;
            case "warning": return AlertSeverity.Warning;
            case "major": return AlertSeverity.Major;
            case "critical": return AlertSeverity.Critical;
            default:
                Error(node.Start, $"unknown severity '{node.Value}': use info, warning, major or critical");
                return null;
        }
    }

    private TimeSpan Duration(Dictionary<string, (YamlScalarNode Key, YamlNode Value)> map, string key)
    {
        var node = Scalar(map, key);
        if (node is null)
        {
            return TimeSpan.Zero;
        }

        if (!DurationParser.TryParse(node.Value, out var d))
        {
            Error(node.Start, $"malformed duration '{node.Value}' for '{key}': {DurationParser.Help}");
        }

        return d;
    }

    private YamlScalarNode? Scalar(Dictionary<string, (YamlScalarNode Key, YamlNode Value)> map, string key)
    {
        if (!map.TryGetValue(key, out var entry))
        {
            return null;
        }

        if (entry.Value is YamlScalarNode s && s.Value is not null)
        {
            return s;
        }

        Error(entry.Value.Start, $"'{key}' must be a single value");
        return null;
    }

    /// <summary>Maps an offset inside a scalar to the file's line and column, for each YAML scalar style.</summary>
    private void ErrorAt(YamlScalarNode node, RuleSyntaxException ex)
    {
        var line = (int)node.Start.Line;
        var column = (int)node.Start.Column;
        var value = node.Value ?? "";
        var offset = Math.Clamp(ex.Position, 0, value.Length);
        switch (node.Style)
        {
            case ScalarStyle.Literal or ScalarStyle.Folded:
                // Block scalars start on the next line; find the offset's line in the raw text.
                var before = value[..offset];
                var lineInBlock = before.Count(c => c == '\n');
                var col = offset - (before.LastIndexOf('\n') + 1);
                line = line + 1 + lineInBlock;
                var raw = line - 1 < _lines.Length ? _lines[line - 1] : "";
                column = raw.Length - raw.TrimStart().Length + col + 1;
                break;
            case ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted:
                column += 1 + offset;
                break;
            default:
                column += offset;
                break;
        }

        errors.Add(new RuleLoadError(file, line, column, ex.Message));
    }

    private void Error(Mark mark, string message) => errors.Add(new RuleLoadError(file, (int)mark.Line, (int)mark.Column, message));

    private static string Unwrap(Exception ex) => ex.InnerException is null ? ex.Message : ex.Message + " " + ex.InnerException.Message;

    private static string SuggestKey(string key, string[] known)
    {
        var close = TextDistance.Closest(key, known);
        return close is null ? "" : $" (did you mean '{close}'?)";
    }

    /// <summary>A comma inside <c>{ expr: avg(x, 5m) &gt; 1 }</c> splits the YAML flow mapping: say so.</summary>
    private static string FlowHint(string? key) =>
        key is not null && (key.Contains(')', StringComparison.Ordinal) || key.Contains('(', StringComparison.Ordinal))
            ? " (an expression with a comma inside { } must be quoted: expr: \"avg(pm2_5, 15m) > 35\")"
            : "";

    private static long ToNs(TimeSpan d) => (long)(d.TotalMilliseconds * 1_000_000);

    /// <summary>Content hash independent of position and formatting: reload keeps state for rules whose hash is unchanged.</summary>
    private static string Hash(YamlNode node)
    {
        var sb = new StringBuilder();
        Canonical(node, sb);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())).AsSpan(0, 8));
    }

    private static void Canonical(YamlNode node, StringBuilder sb)
    {
        switch (node)
        {
            case YamlScalarNode s:
                sb.Append('"').Append(s.Value).Append('"');
                break;
            case YamlSequenceNode seq:
                sb.Append('[');
                foreach (var c in seq.Children)
                {
                    Canonical(c, sb);
                    sb.Append(',');
                }

                sb.Append(']');
                break;
            case YamlMappingNode map:
                sb.Append('{');
                foreach (var (k, v) in map.Children.OrderBy(kv => ((YamlScalarNode)kv.Key).Value, StringComparer.Ordinal))
                {
                    Canonical(k, sb);
                    sb.Append(':');
                    Canonical(v, sb);
                    sb.Append(',');
                }

                sb.Append('}');
                break;
        }
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_.:-]*$")]
    private static partial Regex RuleNameRegex();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex LabelNameRegex();

    [GeneratedRegex(@"\{\{\s*([A-Za-z0-9_.-]+)\s*:([^}]*)\}\}")]
    private static partial Regex FormatRegex();
}
