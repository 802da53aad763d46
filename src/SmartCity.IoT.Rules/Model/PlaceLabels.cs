using System.Text;
using SmartCity.IoT.Core.Places;

namespace SmartCity.IoT.Rules.Model;

/// <summary>
/// How an alert names its place: labels <c>place</c> (id), <c>place_name</c>, <c>place_kind</c>, and the place tags
/// <c>site</c>/<c>building</c>/<c>floor</c>/<c>zone</c> (see <see cref="PlaceTags"/>; a device tag of the name wins), and what
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

        // The same names and values as the place tags the model gives readings, so alerts and series group alike.
        foreach (var tag in PlaceTags.For(place))
        {
            labels.TryAdd(tag.Key, tag.Value.ToString());
        }

        labels[PlaceTags.Place] = place.Id;
        labels["place_name"] = place.Name;
        labels["place_kind"] = place.Kind;
    }

    /// <summary>The nearest place of <paramref name="level"/> among <paramref name="place"/> and its ancestors.</summary>
    public static Place? Nearest(Place place, PlaceLevel level)
    {
        for (var p = place; p is not null; p = p.Parent)
        {
            if (PlaceKinds.TryGetLevel(p.Kind, out var l) && l == level)
            {
                return p;
            }
        }

        return null;
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
                sb.Append(Nearest(place, PlaceLevel.Building)?.Name);
                return;
            case "floor":
                sb.Append(Nearest(place, PlaceLevel.Floor)?.Name);
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
