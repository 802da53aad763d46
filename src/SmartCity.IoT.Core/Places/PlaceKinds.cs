namespace SmartCity.IoT.Core.Places;

/// <summary>
/// The kinds a place may have: Brick Schema class names (https://brickschema.org), each with the level it takes in a
/// building. Only classes a facility manager needs to describe floors, zones and the equipment devices sit on; the
/// model can be exported as Brick because every kind is a real Brick class.
/// </summary>
public static class PlaceKinds
{
    private static readonly Dictionary<string, PlaceLevel> Levels = new(StringComparer.Ordinal)
    {
        ["Site"] = PlaceLevel.Site,
        ["Building"] = PlaceLevel.Building,
        ["Parking_Structure"] = PlaceLevel.Building,
        ["Floor"] = PlaceLevel.Floor,
        ["Storey"] = PlaceLevel.Floor,
        ["Parking_Level"] = PlaceLevel.Floor,
        ["Space"] = PlaceLevel.Zone,
        ["Room"] = PlaceLevel.Zone,
        ["Zone"] = PlaceLevel.Zone,
        ["HVAC_Zone"] = PlaceLevel.Zone,
        ["Lighting_Zone"] = PlaceLevel.Zone,
        ["Common_Space"] = PlaceLevel.Zone,
        ["Lobby"] = PlaceLevel.Zone,
        ["Office"] = PlaceLevel.Zone,
        ["Open_Office"] = PlaceLevel.Zone,
        ["Conference_Room"] = PlaceLevel.Zone,
        ["Break_Room"] = PlaceLevel.Zone,
        ["Storage_Room"] = PlaceLevel.Zone,
        ["Laboratory"] = PlaceLevel.Zone,
        ["Server_Room"] = PlaceLevel.Zone,
        ["Mechanical_Room"] = PlaceLevel.Zone,
        ["Electrical_Room"] = PlaceLevel.Zone,
        ["Restroom"] = PlaceLevel.Zone,
        ["Parking_Space"] = PlaceLevel.Zone,
        ["Outdoor_Area"] = PlaceLevel.Zone,
        ["Loading_Dock"] = PlaceLevel.Zone,
        ["Equipment"] = PlaceLevel.Equipment,
        ["Air_Handling_Unit"] = PlaceLevel.Equipment,
        ["Fan_Coil_Unit"] = PlaceLevel.Equipment,
        ["Terminal_Unit"] = PlaceLevel.Equipment,
        ["Variable_Air_Volume_Box"] = PlaceLevel.Equipment,
        ["Fan"] = PlaceLevel.Equipment,
        ["Pump"] = PlaceLevel.Equipment,
        ["Chiller"] = PlaceLevel.Equipment,
        ["Boiler"] = PlaceLevel.Equipment,
        ["Meter"] = PlaceLevel.Equipment,
        ["Electrical_Meter"] = PlaceLevel.Equipment,
        ["Water_Meter"] = PlaceLevel.Equipment,
        ["Camera"] = PlaceLevel.Equipment,
        ["Elevator"] = PlaceLevel.Equipment,
    };

    /// <summary>Every kind name, in the order above (for messages and the schema).</summary>
    public static IReadOnlyCollection<string> Names => Levels.Keys;

    public static bool TryGetLevel(string kind, out PlaceLevel level) => Levels.TryGetValue(kind, out level);

    /// <summary>The level of a known kind.</summary>
    /// <exception cref="ArgumentException">Not a kind of this list.</exception>
    public static PlaceLevel LevelOf(string kind) =>
        Levels.TryGetValue(kind, out var level) ? level : throw new ArgumentException($"'{kind}' is not a known place kind", nameof(kind));
}
