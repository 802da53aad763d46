using System.Globalization;
using System.Text.RegularExpressions;
using SmartCity.IoT.Core.Loading;
using SmartCity.IoT.Rules.Language;
using SmartCity.IoT.Rules.Model;
using YamlDotNet.RepresentationModel;

namespace SmartCity.IoT.Rules.Loading;

/// <summary>A rule's <c>labels:</c> and <c>annotations:</c>: name to text with <c>{{ value }}</c> placeholders.</summary>
internal static partial class TemplateParser
{
    private static readonly string[] ReservedLabels = ["alertname", "severity", "device", "family", "model", "status"];

    public static Dictionary<string, Template> Parse(YamlSource source, YamlMappingNode rule, string key, bool isLabel)
    {
        var result = new Dictionary<string, Template>(StringComparer.Ordinal);
        if (YamlSource.Get(rule, key) is not { } node)
        {
            return result;
        }

        if (node is not YamlMappingNode m)
        {
            source.Error(node, $"'{key}' is a mapping of name to text");
            return result;
        }

        foreach (var (k, v) in m.Children)
        {
            var name = YamlSource.KeyName(k);
            if (isLabel && !LabelNameRegex().IsMatch(name))
            {
                source.Error(k, $"label name '{name}' must match [A-Za-z_][A-Za-z0-9_]*");
                continue;
            }

            if (isLabel && ReservedLabels.Contains(name))
            {
                source.Error(k, $"label '{name}' is set by the engine and cannot be overridden");
                continue;
            }

            if (v is not YamlScalarNode s)
            {
                source.Error(v, $"the value of {key}.{name} must be text");
                continue;
            }

            try
            {
                var template = Template.Parse(s.Value ?? "");
                CheckNumberFormats(s.Value ?? "");
                result[name] = template;
            }
            catch (RuleSyntaxException ex)
            {
                source.ErrorAt(s, ex.Position, ex.Message);
            }
            catch (FormatException)
            {
                source.Error(s, $"a number format in {key}.{name} is not valid (use .NET formats such as F1 or 0.0)");
            }
        }

        return result;
    }

    /// <summary>Throws <see cref="FormatException"/> for a <c>{{ name:format }}</c> whose format .NET cannot apply to a number.</summary>
    private static void CheckNumberFormats(string text)
    {
        foreach (Match match in FormatRegex().Matches(text))
        {
            _ = 1.5.ToString(match.Groups[2].Value.Trim(), CultureInfo.InvariantCulture);
        }
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex LabelNameRegex();

    [GeneratedRegex(@"\{\{\s*([A-Za-z0-9_.-]+)\s*:([^}]*)\}\}")]
    private static partial Regex FormatRegex();
}
