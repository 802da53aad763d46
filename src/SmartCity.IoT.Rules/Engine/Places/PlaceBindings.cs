using SmartCity.IoT.Core.Places;
using SmartCity.IoT.Rules.Evaluation;

namespace SmartCity.IoT.Rules.Engine.Places;

/// <summary>The <see cref="PlaceBinding"/> of each place of one model, made on first use and shared by its devices.</summary>
internal sealed class PlaceBindings(BuildingModel model)
{
    private readonly PlaceBinding?[] _byIndex = new PlaceBinding?[model.Places.Count];

    public BuildingModel Model { get; } = model;

    /// <summary>The attribute names known when these bindings were made: a rule set naming more needs new bindings.</summary>
    public int AttributeCount { get; } = PlaceAttributeIds.Count;

    public PlaceBinding? For(Place? place)
    {
        if (place is null || (uint)place.Index >= (uint)_byIndex.Length || !ReferenceEquals(Model.Places[place.Index], place))
        {
            return null;
        }

        return _byIndex[place.Index] ??= new PlaceBinding(place);
    }
}
