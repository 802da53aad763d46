using SmartCity.IoT.Core.Places;
using SmartCity.IoT.Devices;

namespace SmartCity.IoT.Gateway.Places;

/// <summary>
/// The checks <c>model validate</c> runs after loading the model: add a check (such as the place attributes the rules
/// read) with one line here.
/// </summary>
internal static class BuildingModelChecks
{
    /// <param name="catalog">The device profiles.</param>
    /// <param name="rulesPath">The rules folder or file the gateway runs (for checks that read rules).</param>
    /// <param name="simulatedPerProfile">Devices per profile the simulator publishes (the demo's count).</param>
    public static IReadOnlyList<IBuildingModelCheck> Create(DeviceCatalog catalog, string rulesPath, int simulatedPerProfile)
    {
        ArgumentNullException.ThrowIfNull(rulesPath);
        var simulated = SimulatedDevices.Of(catalog, simulatedPerProfile);
        return
        [
            new PlacementCheck(catalog, simulated),
            new RulePlaceCheck(catalog, rulesPath, simulated),
            new Status.FloorPlans.FloorPlanCheck(),
        ];
    }
}
