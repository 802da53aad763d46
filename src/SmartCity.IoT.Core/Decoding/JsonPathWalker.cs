using System.Text.Json;
using SmartCity.IoT.Core.Model;

namespace SmartCity.IoT.Core.Decoding;

/// <summary>
/// Walks a JSON value along the path trie in one forward pass: subtrees no path needs are skipped, scalars at a
/// path go to <see cref="JsonTargets"/>, a container where a scalar was expected is rejected by name. A value several
/// paths need (a name and <c>*</c>, an index and a filter) is walked once per path from a copy of the reader.
/// <para>
/// Each element of an array reached through <c>*</c> is a reading of its own (<see cref="ReadingSet.Add"/>) when
/// something in it tells it apart: its own device (a tag named <c>device</c>), its own timestamp, or an instance tag.
/// Otherwise its values belong to the enclosing reading, where a field found twice is rejected, never overwritten.
/// </para>
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

                var units = JsonTargets.UnitsIn(node, reader, stackalloc byte[JsonText.ScratchBytes]);
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var child = node.FindByName(ref reader);
                    var wildcard = node.Wildcard;
                    reader.Read();
                    if (child is null && wildcard is null)
                    {
                        reader.Skip();
                        continue;
                    }

                    if (child is not null && wildcard is not null)
                    {
                        var copy = reader;
                        VisitValue(ref copy, child, reading, units, ref ctx);
                    }

                    VisitValue(ref reader, child is not null && wildcard is null ? child : wildcard!, reading, units, ref ctx);
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
                    VisitElement(ref reader, node, index++, reading, ref ctx);
                }

                return;
            default:
                Apply(ref reader, node, reading, default, ref ctx);
                return;
        }
    }

    /// <summary>A property's value: scalars here may take their unit from a sibling property (<paramref name="units"/>).</summary>
    private void VisitValue(ref Utf8JsonReader reader, JsonPathNode node, Reading reading, scoped ReadOnlySpan<byte> units, ref DecodeContext ctx)
    {
        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            Visit(ref reader, node, reading, ref ctx);
        }
        else
        {
            Apply(ref reader, node, reading, units, ref ctx);
        }
    }

    private void Apply(ref Utf8JsonReader reader, JsonPathNode node, Reading reading, scoped ReadOnlySpan<byte> unit, ref DecodeContext ctx)
    {
        foreach (var t in node.Targets)
        {
            targets.Apply(ref reader, t, reading, unit, ref ctx);
        }
    }

    /// <summary>One array element, walked once for each child that takes it: its index, a filter that accepts it, <c>*</c>.</summary>
    private void VisitElement(ref Utf8JsonReader reader, JsonPathNode node, int index, Reading reading, ref DecodeContext ctx)
    {
        var exact = node.FindByIndex(index);
        var wildcard = node.Wildcard;
        var filters = node.Filters;
        var pending = exact;
        foreach (var f in filters)
        {
            if (!f.Filter!.Accepts(reader))
            {
                continue;
            }

            if (pending is not null)
            {
                var copy = reader;
                Visit(ref copy, pending, reading, ref ctx);
            }

            pending = f;
        }

        if (wildcard is not null)
        {
            if (pending is not null)
            {
                var copy = reader;
                Visit(ref copy, pending, reading, ref ctx);
            }

            VisitOwnReading(ref reader, wildcard, reading, ref ctx);
        }
        else if (pending is not null)
        {
            Visit(ref reader, pending, reading, ref ctx);
        }
        else
        {
            reader.Skip();
        }
    }

    /// <summary>An element of an array reached through <c>*</c>: a reading of its own if something tells it apart (see the type).</summary>
    private void VisitOwnReading(ref Utf8JsonReader reader, JsonPathNode node, Reading parent, ref DecodeContext ctx)
    {
        var readings = ctx.Readings;
        var start = readings.Count;
        var element = readings.Add();
        Visit(ref reader, node, element, ref ctx);

        // Readings found deeper inside inherit what this element set (device, time, tags), unless they set their own.
        for (var i = start + 1; i < readings.Count; i++)
        {
            Inherit(readings[i], element);
        }

        if (!element.HasOwnDevice && !element.HasOwnTimestamp && element.Instance.Key is null)
        {
            targets.Merge(element, parent, ref ctx);
        }
    }

    private static void Inherit(Reading child, Reading from)
    {
        if (!child.HasOwnDevice && from.HasOwnDevice)
        {
            child.SetDevice(MessageDecoder.DeviceTag, from.DeviceId);
        }

        if (!child.HasOwnTimestamp && from.HasOwnTimestamp)
        {
            child.SetTimestamp(from.TimestampNs);
        }

        foreach (var tag in from.Tags)
        {
            if (!child.TryGetTag(tag.Key, out _))
            {
                child.AddTag(tag.Key, tag.Value);
            }
        }
    }
}
