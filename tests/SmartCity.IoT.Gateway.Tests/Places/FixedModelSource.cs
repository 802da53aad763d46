using SmartCity.IoT.Core.Places;

namespace SmartCity.IoT.Gateway.Tests.Places;

/// <summary>A building model that changes only when a test says so.</summary>
internal sealed class FixedModelSource(BuildingModel model) : IBuildingModelSource
{
    public BuildingModel Current { get; private set; } = model;

    public event EventHandler<BuildingModel>? Changed;

    public void Replace(BuildingModel model)
    {
        Current = model;
        Changed?.Invoke(this, model);
    }

    /// <summary>The model of <paramref name="yaml"/>, failing the test with its errors when it does not load.</summary>
    public static BuildingModelDocument Parse(string yaml)
    {
        var errors = new List<Core.Loading.Diagnostic>();
        var document = BuildingModelLoader.TryParse(yaml, "test.yaml", errors);
        Assert.True(document is not null, string.Join(Environment.NewLine, errors));
        return document!;
    }
}
