using System.Text.Json;
using SmartCity.IoT.Core.Model;

namespace SmartCity.IoT.Core.Decoding;

/// <summary>
/// Walks a JSON value along the path trie in one forward pass: subtrees no path needs are skipped, scalars at a
/// path go to <see cref="JsonTargets"/>, a container where a scalar was expected is rejected by name.
/// </summary>
internal sealed class JsonPathWalker(JsonPathNode root, JsonTargets targets)
{
    /// <summary>Visits the value under <paramref name="reader"/> (positioned on its first token) from the root.</summary>
    public void Walk(ref Utf8JsonReader reader, Reading reading, ref DecodeContext ctx) => Visit(ref reader, root, reading, ref ctx);

    private void Visit(ref Utf8JsonReader reader, JsonPathNode node, Reading reading, ref DecodeContext ctx)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                if (node.Children.Count == 0)
                {
                    targets.RejectContainer(node.Targets, "an object", ref ctx);
                    reader.Skip();
                    return;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var child = node.FindByName(ref reader);
                    reader.Read();
                    if (child is null)
                    {
                        reader.Skip();
                    }
                    else
                    {
                        Visit(ref reader, child, reading, ref ctx);
                    }
                }

                return;
            case JsonTokenType.StartArray:
                if (node.Children.Count == 0)
                {
                    targets.RejectContainer(node.Targets, "an array", ref ctx);
                    reader.Skip();
                    return;
                }

                var index = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    var child = node.FindByIndex(index++);
                    if (child is null)
                    {
                        reader.Skip();
                    }
                    else
                    {
                        Visit(ref reader, child, reading, ref ctx);
                    }
                }

                return;
            default:
                foreach (var t in node.Targets)
                {
                    targets.Apply(ref reader, t, reading, ref ctx);
                }

                return;
        }
    }
}
