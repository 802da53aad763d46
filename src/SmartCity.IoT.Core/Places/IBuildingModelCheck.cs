using SmartCity.IoT.Core.Loading;

namespace SmartCity.IoT.Core.Places;

/// <summary>
/// A check of a loaded model against something the loader does not know (the device profiles, the simulator's devices,
/// the rules that read place attributes). <c>model validate</c> runs every registered check after loading.
/// </summary>
public interface IBuildingModelCheck
{
    /// <summary>Adds problems to <paramref name="errors"/> (the model is wrong) or <paramref name="warnings"/> (it may be).</summary>
    void Check(BuildingModelDocument document, List<Diagnostic> errors, List<Diagnostic> warnings);
}
