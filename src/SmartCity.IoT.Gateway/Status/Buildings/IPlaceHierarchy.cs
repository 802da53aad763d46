using SmartCity.IoT.Core.Devices;

namespace SmartCity.IoT.Gateway.Status.Buildings;

/// <summary>
/// Where a device is: the names of its places, outermost first (building, floor, zone). Today from its tags
/// (<see cref="TagPlaceHierarchy"/>); a building model can take its place without the page changing.
/// </summary>
internal interface IPlaceHierarchy
{
    /// <summary>What each level is called (for headings), outermost first.</summary>
    IReadOnlyList<string> LevelNames { get; }

    /// <summary>The device's places, outermost first; at least one (an unplaced device gets a place of its own).</summary>
    IReadOnlyList<string> PlaceOf(DeviceState device);
}
