using SmartCity.IoT.Core.Places;

namespace SmartCity.IoT.Rules.Tests.Support;

/// <summary>
/// The building model the shipped-rule episodes run in: every device sits in room-1 (capacity 10, max_temperature 27)
/// on floor-1 of hq, whose occupied hours are never (so after-hours rules apply at any time).
/// </summary>
internal static class CatalogBuilding
{
    public static BuildingModel Create()
    {
        var never = new PlaceHours(TimeZoneInfo.Utc, [.. Enumerable.Range(0, 7).Select(_ => Array.Empty<(TimeOnly, TimeOnly)>())]);
        var room = new Place("room-1", "Room 1", "Room", new Dictionary<string, double> { ["capacity"] = 10, ["max_temperature"] = 27 });
        Place[] places = [new("hq", "Headquarters", "Building", occupied: never), new("floor-1", "Floor 1", "Floor"), room];
        var parents = new Dictionary<string, string> { ["floor-1"] = "hq", ["room-1"] = "floor-1" };
        return new BuildingModel(places, p => parents.GetValueOrDefault(p.Id), _ => room);
    }
}
