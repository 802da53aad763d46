using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Core.Model;

namespace SmartCity.IoT.Core.Places;

/// <summary>
/// The building model: every place, and where each device is. Immutable once built; a reload builds a new one
/// (<see cref="IBuildingModelSource"/>). <see cref="PlaceOf"/> is safe from any thread and cheap after a device's first call.
/// </summary>
public sealed class BuildingModel
{
    private readonly Dictionary<string, Place> _byId;
    private readonly Func<DeviceState, Place?> _placement;
    private readonly Tag[][] _tags;

    /// <param name="places">Every place, parents before their children; each one's parent given by <paramref name="parentOf"/>.</param>
    /// <param name="parentOf">The parent id of a place, or null for a root.</param>
    /// <param name="placement">Where a device is (explicit lists and tag rules), or null when the model does not place it.</param>
    /// <param name="sourcePath">The model file, for messages.</param>
    public BuildingModel(IReadOnlyList<Place> places, Func<Place, string?> parentOf, Func<DeviceState, Place?> placement, string? sourcePath = null)
    {
        _byId = new Dictionary<string, Place>(places.Count, StringComparer.Ordinal);
        var roots = new List<Place>();
        for (var i = 0; i < places.Count; i++)
        {
            var place = places[i];
            place.Index = i;
            _byId.Add(place.Id, place);
            if (parentOf(place) is { } parent)
            {
                _byId[parent].Adopt(place);
            }
            else
            {
                roots.Add(place);
            }
        }

        _tags = new Tag[places.Count][];
        for (var i = 0; i < places.Count; i++)
        {
            _tags[i] = PlaceTags.For(places[i]);
        }

        Places = places;
        Roots = roots;
        _placement = placement;
        SourcePath = sourcePath;
    }

    /// <summary>A model with no places: every device is unplaced.</summary>
    public static BuildingModel Empty { get; } = new([], _ => null, _ => null);

    public IReadOnlyList<Place> Places { get; }

    public IReadOnlyList<Place> Roots { get; }

    public string? SourcePath { get; }

    public bool IsEmpty => Places.Count == 0;

    public Place? Find(string id) => _byId.GetValueOrDefault(id);

    /// <summary>The place the model puts the device in, or null (unplaced). Computed on a device's first call, then cached on the device.</summary>
    public Place? PlaceOf(DeviceState device) => Placement(device).Place;

    /// <summary>
    /// The tags the model gives the device's readings (<see cref="PlaceTags"/>), empty when it is unplaced; as cheap as
    /// <see cref="PlaceOf"/> and allocation-free after the device's first call.
    /// </summary>
    public ReadOnlySpan<Tag> TagsOf(DeviceState device) => Placement(device).Tags;

    /// <summary>The tags of a device in <paramref name="place"/> (a place of this model).</summary>
    public ReadOnlySpan<Tag> TagsOf(Place place)
    {
        ArgumentNullException.ThrowIfNull(place);
        return _tags[place.Index];
    }

    private DevicePlacement Placement(DeviceState device)
    {
        ArgumentNullException.ThrowIfNull(device);
        // Any thread may ask: the cache is an immutable record swapped whole, so a race only computes the answer twice.
        if (Volatile.Read(ref device.PlacementCache) is DevicePlacement known && ReferenceEquals(known.Model, this))
        {
            return known;
        }

        var place = _placement(device);
        var placement = new DevicePlacement(this, place, place is null ? [] : _tags[place.Index]);
        device.SetPlaceTags(placement.Tags);
        Volatile.Write(ref device.PlacementCache, placement);
        return placement;
    }
}
