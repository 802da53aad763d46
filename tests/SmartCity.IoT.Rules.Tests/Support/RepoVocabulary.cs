using System.Globalization;
using SmartCity.IoT.Core.Model;
using SmartCity.IoT.Testing;
using YamlDotNet.RepresentationModel;

namespace SmartCity.IoT.Rules.Tests.Support;

/// <summary>Reads devices/vocabulary.yaml (names, types, enum values) so shipped rules are checked against the real vocabulary.</summary>
internal static class RepoVocabulary
{
    public static string Path => System.IO.Path.Combine(RepoPaths.Devices, "vocabulary.yaml");

    public static FieldVocabulary Load()
    {
        var stream = new YamlStream();
        using (var reader = File.OpenText(Path))
        {
            stream.Load(reader);
        }

        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var fields = (YamlMappingNode)root.Children[new YamlScalarNode("fields")];
        var list = new List<FieldDefinition>();
        foreach (var (key, value) in fields.Children)
        {
            var map = (YamlMappingNode)value;
            string Get(string k) => map.Children.TryGetValue(new YamlScalarNode(k), out var v) ? ((YamlScalarNode)v).Value ?? "" : "";
            var type = Get("type") switch
            {
                "integer" => FieldType.Integer,
                "boolean" => FieldType.Boolean,
                "enum" => FieldType.Enum,
                _ => FieldType.Float,
            };
            var values = map.Children.TryGetValue(new YamlScalarNode("values"), out var vs) ? ((YamlSequenceNode)vs).Children.Select(n => ((YamlScalarNode)n).Value!).ToArray() : null;
            double Num(string k, double fallback) => double.TryParse(Get(k), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : fallback;
            list.Add(new FieldDefinition(list.Count, ((YamlScalarNode)key).Value!, Get("unit"), type, Num("min", double.MinValue), Num("max", double.MaxValue), values, isCounter: Get("counter") == "true"));
        }

        return new FieldVocabulary(list);
    }
}
