using SmartCity.IoT.Core.Loading;
using SmartCity.IoT.Core.Model;
using SmartCity.IoT.Rules.Compilation;
using YamlDotNet.RepresentationModel;

namespace SmartCity.IoT.Rules.Loading;

/// <summary>Reads one rule file (YAML, or JSON which YAML reads too) into compiled rules, collecting errors with positions.</summary>
internal static class RuleFileParser
{
    internal static readonly string[] RuleKeys = ["name", "kind", "description", "match", "expr", "severity", "escalate", "clear", "value", "for", "keep_firing_for", "after", "labels", "annotations", "flapping", "over", "stale_after", "during", "outside", "time_zone"];
    internal static readonly string[] MatchKeys = ["family", "profile", "device", "tags"];

    /// <summary>The valid rules of <paramref name="text"/>; every problem goes to <paramref name="errors"/>.</summary>
    public static List<CompiledRule> Parse(string file, string text, FieldVocabulary vocabulary, List<Diagnostic> errors)
    {
        var result = new List<CompiledRule>();
        var source = YamlSource.Parse(text, file, errors);
        if (source.Root is null)
        {
            return result; // empty (no rules), or the syntax error is already reported
        }

        if (source.Root is not YamlMappingNode root)
        {
            source.Error(source.Root, "a rule file is a mapping with a 'rules:' list");
            return result;
        }

        foreach (var key in root.Children.Keys)
        {
            var name = YamlSource.KeyName(key);
            if (name is not ("rules" or "$schema"))
            {
                source.Error(key, $"unknown top-level key '{name}': a rule file has 'rules:' only", DidYouMean.Closest(name, ["rules"]));
            }
        }

        var rulesNode = YamlSource.Get(root, "rules");
        if (rulesNode is null)
        {
            source.Error(root, "missing 'rules:' list");
            return result;
        }

        if (rulesNode is not YamlSequenceNode rules)
        {
            source.Error(rulesNode, "'rules' must be a list of rules");
            return result;
        }

        foreach (var node in rules.Children)
        {
            if (node is not YamlMappingNode ruleNode)
            {
                source.Error(node, "each rule is a mapping with at least 'name' and 'expr'");
                continue;
            }

            var before = errors.Count;
            var rule = RuleParser.Parse(source, ruleNode, vocabulary);
            if (rule is not null && errors.Count == before)
            {
                result.Add(rule);
            }
        }

        return result;
    }
}
