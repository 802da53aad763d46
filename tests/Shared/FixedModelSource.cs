using SmartCity.IoT.Core.Places;

namespace SmartCity.IoT.Testing;

/// <summary>A building model built in the test's code, replaced when the test says (a reload without a file).</summary>
internal sealed class FixedModelSource(BuildingModel model) : IBuildingModelSource
{
    public BuildingModel Current { get; private set; } = model;

    public event EventHandler<BuildingModel>? Changed;

    public void Replace(BuildingModel model)
    {
        Current = model;
        Changed?.Invoke(this, model);
    }
}
