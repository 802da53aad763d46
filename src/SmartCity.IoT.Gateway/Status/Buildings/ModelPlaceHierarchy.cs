using System.Runtime.CompilerServices;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Core.Places;

namespace SmartCity.IoT.Gateway.Status.Buildings;

/// <summary>
/// Places from the building model when one is loaded (site → building → floor → zone, by the model's names), else from tags
/// (<see cref="TagPlaceHierarchy"/>). Devices the model does not place go under <see cref="Unplaced"/>, grouped by family and
/// then by their tag places, so thousands of them do not make one flat list.
/// </summary>
internal sealed class ModelPlaceHierarchy : IPlaceHierarchy
{
    /// <summary>The root of devices the model does not place.</summary>
    public const string Unplaced = "(not in the building model)";

    private static readonly string[] ModelLevels = ["site", "building", "floor", "zone"];

    private readonly TagPlaceHierarchy _tags;
    private readonly IBuildingModelSource? _source;
    private volatile Cache _cache;

    /// <param name="source">The model; none registered (or an empty model) means tags only.</param>
    public ModelPlaceHierarchy(TagPlaceHierarchy tags, IBuildingModelSource? source = null)
    {
        _tags = tags;
        _source = source;
        _cache = new Cache(source?.Current ?? BuildingModel.Empty);
    }

    /// <summary>The model in force (empty when none is loaded).</summary>
    public BuildingModel Model => CacheFor().Model;

    public IReadOnlyList<string> LevelNames => Model.IsEmpty ? _tags.LevelNames : ModelLevels;

    public IReadOnlyList<string> PlaceOf(DeviceState device)
    {
        var cache = CacheFor();
        if (cache.Model.IsEmpty)
        {
            return _tags.PlaceOf(device);
        }

        return cache.Names.GetValue(device, d => Names(cache, d));
    }

    /// <summary>The model's place of the device (worked out once per device and model), or null when unplaced or no model is loaded.</summary>
    public Place? ModelPlaceOf(DeviceState device) => ModelPlaceOf(CacheFor(), device);

    public string? PlaceIdOf(string path) => CacheFor().Paths.GetValueOrDefault(path);

    // The model caches each device's place on the device itself.
    private static Place? ModelPlaceOf(Cache cache, DeviceState device) => cache.Model.IsEmpty ? null : cache.Model.PlaceOf(device);

    private string[] Names(Cache cache, DeviceState device)
    {
        if (ModelPlaceOf(cache, device) is { } place)
        {
            return [.. place.SelfAndAncestors().Reverse().Select(p => p.Name)];
        }

        var tags = _tags.PlaceOf(device);
        return tags.Count > 0 && tags[0] == TagPlaceHierarchy.Unplaced ? [Unplaced, device.Profile.Family] : [Unplaced, device.Profile.Family, .. tags];
    }

    // A reload brings a new model: the per-device answers of the old one are dropped with it.
    private Cache CacheFor()
    {
        var cache = _cache;
        var current = _source?.Current ?? BuildingModel.Empty;
        if (!ReferenceEquals(cache.Model, current))
        {
            cache = new Cache(current);
            _cache = cache;
        }

        return cache;
    }

    private sealed class Cache
    {
        public Cache(BuildingModel model)
        {
            Model = model;
            foreach (var place in model.Places)
            {
                // The tree keys places by their names' path; the first of two same-named siblings gets the link.
                Paths.TryAdd(string.Join('/', place.SelfAndAncestors().Reverse().Select(p => p.Name)), place.Id);
            }
        }

        public BuildingModel Model { get; }

        public ConditionalWeakTable<DeviceState, string[]> Names { get; } = new();

        public Dictionary<string, string> Paths { get; } = new(StringComparer.Ordinal);
    }
}
