using SmartCity.IoT.Core.Model;

namespace SmartCity.IoT.Core.Places;

/// <summary>
/// The tags the model gives the readings of a placed device: <c>place</c> (the place's id) and, for each level above
/// it that the model knows, <c>site</c>, <c>building</c>, <c>floor</c> and <c>zone</c> (that place's
/// <see cref="Place.TagValue"/>). They replace a topic tag of the same name; a level the model does not know keeps the
/// topic's tag.
/// </summary>
public static class PlaceTags
{
    public const string Place = "place";
    public const string Site = "site";
    public const string Building = "building";
    public const string Floor = "floor";
    public const string Zone = "zone";

    /// <summary>Every tag name the model may set.</summary>
    public static IReadOnlyList<string> Names { get; } = [Place, Site, Building, Floor, Zone];

    /// <summary>The tags for a device in <paramref name="place"/>, computed once per device (they slice the places' strings).</summary>
    public static Tag[] For(Place place)
    {
        ArgumentNullException.ThrowIfNull(place);
        var tags = new List<Tag>(5) { new(Place, place.Id.AsMemory()) };
        string? site = null, building = null, floor = null, zone = null;
        for (var p = place; p is not null; p = p.Parent)
        {
            if (!PlaceKinds.TryGetLevel(p.Kind, out var level))
            {
                continue;
            }

            switch (level)
            {
                case PlaceLevel.Site:
                    site ??= p.TagValue;
                    break;
                case PlaceLevel.Building:
                    building ??= p.TagValue;
                    break;
                case PlaceLevel.Floor:
                    floor ??= p.TagValue;
                    break;
                case PlaceLevel.Zone:
                    zone ??= p.TagValue; // the innermost space: a bay's own id, not its parking level's area
                    break;
            }
        }

        Add(tags, Site, site);
        Add(tags, Building, building);
        Add(tags, Floor, floor);
        Add(tags, Zone, zone);
        return [.. tags];
    }

    private static void Add(List<Tag> tags, string key, string? value)
    {
        if (value is not null)
        {
            tags.Add(new Tag(key, value.AsMemory()));
        }
    }
}
