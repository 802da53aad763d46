using System.Security.Cryptography;
using System.Text;
using YamlDotNet.RepresentationModel;

namespace SmartCity.IoT.Rules.Loading;

/// <summary>Content hash of a rule independent of position, formatting and key order: reload keeps state for rules whose hash is unchanged.</summary>
internal static class DefinitionHash
{
    public static string Of(YamlNode node)
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
}
