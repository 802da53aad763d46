namespace SmartCity.IoT.Core.Places;

/// <summary>Where a kind of place sits in a building, which decides the tag it gives readings (see <see cref="PlaceTags"/>).</summary>
public enum PlaceLevel
{
    Site,
    Building,
    Floor,

    /// <summary>A space below a floor (room, zone, parking space, restroom, outdoor area): the <c>zone</c> tag.</summary>
    Zone,

    /// <summary>A piece of equipment (air handler, fan-coil unit): a place of its own, in the zone that holds it.</summary>
    Equipment,
}
