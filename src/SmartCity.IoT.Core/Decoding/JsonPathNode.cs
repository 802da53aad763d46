using System.Text;
using System.Text.Json;

namespace SmartCity.IoT.Core.Decoding;

/// <summary>
/// A node of the trie all of a profile's JSON paths are merged into: a property name (UTF-8, compared without
/// decoding), <c>*</c> (any property) or an array index, with the targets of the value found there.
/// </summary>
internal sealed class JsonPathNode(string? name, int index)
{
    public string? Name { get; } = name;

    public byte[]? NameUtf8 { get; } = name is null ? null : Encoding.UTF8.GetBytes(name);

    public int Index { get; } = index;

    public bool IsWildcard => Name == "*";

    public List<JsonPathNode> Children { get; } = [];

    public List<JsonTarget> Targets { get; } = [];

    /// <summary>Adds <paramref name="target"/> at <paramref name="path"/> below this node, sharing common prefixes.</summary>
    public void Add(JsonPath path, JsonTarget target)
    {
        var node = this;
        foreach (var step in path.Steps)
        {
            JsonPathNode? next = null;
            foreach (var c in node.Children)
            {
                if (c.Name == step.Name && c.Index == step.Index)
                {
                    next = c;
                    break;
                }
            }

            if (next is null)
            {
                next = new JsonPathNode(step.Name, step.Index);
                node.Children.Add(next);
            }

            node = next;
        }

        node.Targets.Add(target);
    }

    /// <summary>The child named by the property name under <paramref name="reader"/>, else a <c>*</c> child, else null.</summary>
    public JsonPathNode? FindByName(ref Utf8JsonReader reader)
    {
        JsonPathNode? wildcard = null;
        foreach (var c in Children)
        {
            if (c.NameUtf8 is null)
            {
                continue;
            }

            if (c.IsWildcard)
            {
                wildcard ??= c;
            }
            else if (reader.ValueTextEquals(c.NameUtf8))
            {
                return c;
            }
        }

        return wildcard;
    }

    public JsonPathNode? FindByIndex(int index)
    {
        foreach (var c in Children)
        {
            if (c.NameUtf8 is null && c.Index == index)
            {
                return c;
            }
        }

        return null;
    }
}
