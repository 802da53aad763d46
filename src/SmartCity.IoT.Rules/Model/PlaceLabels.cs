using System.Text;
using SmartCity.IoT.Core.Places;

namespace SmartCity.IoT.Rules.Model;

/// <summary>
/// How an alert names its place: labels <c>place</c> (id), <c>place_name</c>, <c>place_kind</c>, and <c>building</c> /
/// <c>floor</c> (the ids of the enclosing building and floor, unless the device's tags already say), and what
/// <c>{{ place.name }}</c> and friends render in templates.
/// </summary>
internal static class PlaceLabels
{
    /// <summary>The labels of <paramref name="place"/> as tags (what an alert over the place carries).</summary>
    public static KeyValuePair<string, string>[] Tags(Place place)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        AddTo(labels, place);
        return [.. labels];
    }

    public static void AddTo(Dictionary<string, string> labels, Place? place)
    {
        if (place is null)
        {
            return;
        }

        labels["place"] = place.Id;
        labels["place_name"] = place.Name;
        labels["place_kind"] = place.Kind;
        if (place.Nearest("Building") is { } building)
        {
            labels.TryAdd("building", building.Id);
        }

        if (place.Nearest("Floor") is { } floor)
        {
            labels.TryAdd("floor", floor.Id);
        }
    }

    /// <summary>
    /// <c>{{ place.id }}</c>, <c>name</c>, <c>kind</c>, <c>building</c>/<c>floor</c> (names of the enclosing ones), or an
    /// attribute of the place or its nearest ancestor (<c>{{ place.capacity }}</c>); empty when there is none.
    /// </summary>
    public static void Render(StringBuilder sb, Place? place, string name, string? format)
    {
        if (place is null)
        {
            return;
        }

        switch (name)
        {
            case "id":
                sb.Append(place.Id);
                return;
            case "name":
                sb.Append(place.Name);
                return;
            case "kind":
                sb.Append(place.Kind);
                return;
            case "building":
                sb.Append(place.Nearest("Building")?.Name);
                return;
            case "floor":
                sb.Append(place.Nearest("Floor")?.Name);
                return;
        }

        if (place.TryGetNumber(name, out var number))
        {
            Template.AppendNumber(sb, number, format);
            return;
        }

        for (var p = place; p is not null; p = p.Parent)
        {
            if (p.Texts.TryGetValue(name, out var text))
            {
                sb.Append(text);
                return;
            }
        }
    }
}
