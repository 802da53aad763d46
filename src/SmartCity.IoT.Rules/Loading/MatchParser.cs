using SmartCity.IoT.Core.Loading;
using SmartCity.IoT.Rules.Model;
using YamlDotNet.RepresentationModel;

namespace SmartCity.IoT.Rules.Loading;

/// <summary>A rule's <c>match:</c> (family, profile, device, tags; each a pattern or a list of patterns).</summary>
internal static class MatchParser
{
    public static RuleMatch Parse(YamlSource source, YamlNode node)
    {
        if (node is not YamlMappingNode map)
        {
            source.Error(node, "'match' is a mapping: family, profile, device, tags");
            return RuleMatch.All;
        }

        source.CheckKeys(map, "match", RuleFileParser.MatchKeys);
        IReadOnlyList<string> families = [], profiles = [], devices = [];
        var tags = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (k, v) in map.Children)
        {
            switch (YamlSource.KeyName(k))
            {
                case "family": families = Patterns(source, v); break;
                case "profile": profiles = Patterns(source, v); break;
                case "device": devices = Patterns(source, v); break;
                case "tags":
                    if (v is not YamlMappingNode tagMap)
                    {
                        source.Error(v, "'tags' is a mapping of tag name to a value or a list of values (wildcards * and ? allowed)");
                        break;
                    }

                    foreach (var (tk, tv) in tagMap.Children)
                    {
                        tags[YamlSource.KeyName(tk)] = Patterns(source, tv);
                    }

                    break;
            }
        }

        return new RuleMatch(families, profiles, devices, tags);
    }

    private static List<string> Patterns(YamlSource source, YamlNode node)
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
                        source.Error(item, "expected a value (text; wildcards * and ? allowed)");
                    }
                }

                if (list.Count == 0)
                {
                    source.Error(node, "an empty list matches nothing; remove the key to match everything");
                }

                return list;
            default:
                source.Error(node, "expected a value or a list of values");
                return [];
        }
    }
}
