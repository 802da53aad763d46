using SmartCity.IoT.Core.Places;

namespace SmartCity.IoT.Rules.Tests.Support;

/// <summary>
/// A building model made in code for place-rule tests: site pavilion / building hq (occupied Mon-Fri 08:00-18:00 UTC)
/// / floors f3 and f4 with zones, a meeting room (capacity 8), a server room (max_temperature 27) and a toilet.
/// Devices are placed by id through <see cref="Placement"/>.
/// </summary>
internal sealed class TestBuilding
{
    public TestBuilding()
    {
        var weekday = new[] { (new TimeOnly(8, 0), new TimeOnly(18, 0)) };
        var hours = new PlaceHours(TimeZoneInfo.Utc, [[], weekday, weekday, weekday, weekday, weekday, []]);
        var places = new List<Place>
        {
            new("pavilion", "Pavilion", "Site"),
            new("hq", "Headquarters", "Building", occupied: hours),
            new("f3", "Floor 3", "Floor"),
            new("z301", "Open office 3.01", "HVAC_Zone"),
            new("z302", "Open office 3.02", "HVAC_Zone"),
            new("meet-3a", "Meeting room 3A", "Room", Numbers(("capacity", 8))),
            new("server-3", "Server room 3", "Room", Numbers(("max_temperature", 27))),
            new("wc-3", "Toilets 3", "Room"),
            new("f4", "Floor 4", "Floor", Numbers(("capacity", 120))),
            new("z401", "Open office 4.01", "HVAC_Zone"),
        };
        var parents = new Dictionary<string, string>
        {
            ["hq"] = "pavilion", ["f3"] = "hq", ["z301"] = "f3", ["z302"] = "f3", ["meet-3a"] = "f3", ["server-3"] = "f3", ["wc-3"] = "f3",
            ["f4"] = "hq", ["z401"] = "f4",
        };
        Model = new BuildingModel(places, p => parents.GetValueOrDefault(p.Id), d => Placement.TryGetValue(d.DeviceId, out var id) ? Model!.Find(id) : null, "buildings.yaml");
    }

    /// <summary>Device id to place id.</summary>
    public Dictionary<string, string> Placement { get; } = new(StringComparer.Ordinal);

    public BuildingModel Model { get; }

    public TestBuilding Place(string deviceId, string placeId)
    {
        Placement[deviceId] = placeId;
        return this;
    }

    private static Dictionary<string, double> Numbers(params (string Name, double Value)[] values) =>
        values.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);
}
