using SmartCity.IoT.Core.Loading;
using SmartCity.IoT.Core.Places;

namespace SmartCity.IoT.Gateway.Status.FloorPlans;

/// <summary>
/// <c>model validate</c>'s look at the floor plans: a plan the page would refuse, content it would remove, shapes that
/// are no place of the floor and places the plan does not draw, each a warning at the floor's <c>floor_plan</c>
/// (the page still shows the rest). A missing file is <see cref="Places.PlacementCheck"/>'s warning.
/// </summary>
internal sealed class FloorPlanCheck : IBuildingModelCheck
{
    public void Check(BuildingModelDocument document, List<Diagnostic> errors, List<Diagnostic> warnings)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(warnings);
        foreach (var floor in document.Model.Places.Where(p => p.FloorPlan is not null))
        {
            var path = FloorPlanStore.Resolve(document.Model, floor.FloorPlan!);
            if (!File.Exists(path))
            {
                continue;
            }

            var at = document.PositionOf(floor, "floor_plan");
            foreach (var message in FloorPlanStore.Load(document.Model, floor, path).Messages())
            {
                warnings.Add(document.At(at, message));
            }
        }
    }
}
