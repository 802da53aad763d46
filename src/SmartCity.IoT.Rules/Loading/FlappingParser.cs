using System.Globalization;
using SmartCity.IoT.Core.Loading;
using SmartCity.IoT.Rules.Language;
using SmartCity.IoT.Rules.Model;
using YamlDotNet.RepresentationModel;

namespace SmartCity.IoT.Rules.Loading;

/// <summary>A rule's <c>flapping:</c>, 'off' or { max_changes, window }.</summary>
internal static class FlappingParser
{
    private static readonly string[] Keys = ["max_changes", "window"];

    public static FlappingPolicy? Parse(YamlSource source, YamlNode node)
    {
        if (node is YamlScalarNode { Value: "off" or "false" or "disabled" })
        {
            return FlappingPolicy.Disabled;
        }

        if (node is not YamlMappingNode map)
        {
            source.Error(node, "'flapping' is 'off' or { max_changes: 6, window: 30m }");
            return null;
        }

        source.CheckKeys(map, "flapping", Keys);
        var max = 0;
        var window = TimeSpan.Zero;
        if (YamlSource.Get(map, "max_changes") is { } maxNode
            && (!int.TryParse((maxNode as YamlScalarNode)?.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out max) || max < 2))
        {
            source.Error(maxNode, "max_changes must be a whole number of at least 2");
        }

        if (YamlSource.Get(map, "window") is { } windowNode)
        {
            var value = (windowNode as YamlScalarNode)?.Value ?? "";
            if (!DurationParser.TryParse(value, out window) || window <= TimeSpan.Zero)
            {
                source.Error(windowNode, $"malformed duration '{value}': {DurationParser.Help}");
            }
        }

        return new FlappingPolicy(max, window);
    }
}
