using SmartCity.IoT.Core.Devices;

namespace SmartCity.IoT.Gateway.Status.Buildings;

/// <summary>
/// Where a device is: the names of its places, outermost first (building, floor, zone). From the building model when one is loaded, else from its tags
/// (<see cref="ModelPlaceHierarchy"/>, <see cref="TagPlaceHierarchy"/>).
/// </summary>
internal interface IPlaceHierarchy
{
    /// <summary>What each level is called (for headings), outermost first.</summary>
    IReadOnlyList<string> LevelNames { get; }

    /// <summary>The device's places, outermost first; at least one (an unplaced device gets a place of its own).</summary>
    IReadOnlyList<string> PlaceOf(DeviceState device);

    /// <summary>The building model's place id of a place path (names joined with '/', as <see cref="PlaceNode.Path"/>), or null when places come from tags.</summary>
    string? PlaceIdOf(string path);
}
