using System.Text;
using System.Text.Json;

namespace SmartCity.IoT.Core.Decoding;

/// <summary>
/// A node of the trie all of a profile's JSON paths are merged into: a property name (UTF-8, compared without
/// decoding), <c>*</c> (any property, every array element), an array index or a filter, with the targets of the value
/// found there.
/// </summary>
internal sealed class JsonPathNode(string? name, int index, JsonFilter? filter = null)
{
    private readonly List<JsonPathNode> _filters = [];

    public string? Name { get; } = name;

    public byte[]? NameUtf8 { get; } = name is null || name == "*" ? null : Encoding.UTF8.GetBytes(name);

    public int Index { get; } = index;

    public JsonFilter? Filter { get; } = filter;

    public bool IsWildcard => Name == "*";

    public List<JsonPathNode> Children { get; } = [];

    public List<JsonTarget> Targets { get; } = [];

    /// <summary>The <c>*</c> child, or null.</summary>
    public JsonPathNode? Wildcard { get; private set; }

    /// <summary>The filter children, in the order their paths were added (a list: iterating it allocates nothing).</summary>
    public List<JsonPathNode> Filters => _filters;

    /// <summary>The property name whose string value is the unit of this object's fields that take their unit from the payload.</summary>
    public byte[]? UnitName { get; set; }

    /// <summary>Adds <paramref name="target"/> at <paramref name="path"/> below this node, sharing common prefixes.</summary>
    public void Add(JsonPath path, JsonTarget target) => Ensure(path.Steps).Targets.Add(target);

    /// <summary>The node at <paramref name="steps"/> below this one, created as needed.</summary>
    public JsonPathNode Ensure(IEnumerable<JsonPathStep> steps)
    {
        var node = this;
        foreach (var step in steps)
        {
            JsonPathNode? next = null;
            foreach (var c in node.Children)
            {
                if (c.Name == step.Name && c.Index == step.Index && c.Filter?.Text == step.Filter?.Text)
                {
                    next = c;
                    break;
                }
            }

            if (next is null)
            {
                next = new JsonPathNode(step.Name, step.Index, step.Filter);
                node.Children.Add(next);
                if (next.IsWildcard)
                {
                    node.Wildcard = next;
                }
                else if (next.Filter is not null)
                {
                    node._filters.Add(next);
                }
            }

            node = next;
        }

        return node;
    }

    /// <summary>The child named by the property name under <paramref name="reader"/> (not the <c>*</c> child), or null.</summary>
    public JsonPathNode? FindByName(ref Utf8JsonReader reader)
    {
        foreach (var c in Children)
        {
            if (c.NameUtf8 is not null && reader.ValueTextEquals(c.NameUtf8))
            {
                return c;
            }
        }

        return null;
    }

    public JsonPathNode? FindByIndex(int index)
    {
        foreach (var c in Children)
        {
            if (c.Name is null && c.Filter is null && c.Index == index)
            {
                return c;
            }
        }

        return null;
    }
}
