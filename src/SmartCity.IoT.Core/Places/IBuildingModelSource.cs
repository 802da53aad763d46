namespace SmartCity.IoT.Core.Places;

/// <summary>The building model in force: loaded at start, replaced whole by a valid edit of the model file.</summary>
public interface IBuildingModelSource
{
    BuildingModel Current { get; }

    /// <summary>Raised after <see cref="Current"/> was replaced by a newly loaded model.</summary>
    event EventHandler<BuildingModel>? Changed;
}
