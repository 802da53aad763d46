using SmartCity.IoT.Core.Loading;

namespace SmartCity.IoT.Core.Places;

/// <summary>
/// A loaded model file: the <see cref="BuildingModel"/>, its <see cref="Placement"/>, and where in the file each place,
/// attribute and placement rule was written, so checks beyond the loader's (<see cref="IBuildingModelCheck"/>) report
/// <c>file:line:col</c> too.
/// </summary>
public sealed class BuildingModelDocument
{
    private readonly IReadOnlyDictionary<Place, SourcePosition> _places;
    private readonly IReadOnlyDictionary<(Place, string), SourcePosition> _attributes;
    private readonly IReadOnlyDictionary<string, SourcePosition> _devices;

    internal BuildingModelDocument(string file, BuildingModel model, Placement placement, IReadOnlyDictionary<Place, SourcePosition> places,
        IReadOnlyDictionary<(Place, string), SourcePosition> attributes, IReadOnlyDictionary<string, SourcePosition> devices)
    {
        File = file;
        Model = model;
        Placement = placement;
        _places = places;
        _attributes = attributes;
        _devices = devices;
    }

    /// <summary>The file name used in diagnostics.</summary>
    public string File { get; }

    public BuildingModel Model { get; }

    public Placement Placement { get; }

    /// <summary>Where the place's entry starts.</summary>
    public SourcePosition PositionOf(Place place) => _places.TryGetValue(place, out var p) ? p : new SourcePosition(1, 1);

    /// <summary>Where the place's attribute (<c>capacity</c>, <c>occupied</c>, ...) is written, else where the place starts.</summary>
    public SourcePosition PositionOf(Place place, string attribute) =>
        _attributes.TryGetValue((place, attribute), out var p) ? p : PositionOf(place);

    /// <summary>Where a device id is placed by id.</summary>
    public SourcePosition PositionOfDevice(string deviceId) => _devices.TryGetValue(deviceId, out var p) ? p : new SourcePosition(1, 1);

    /// <summary>A diagnostic at <paramref name="at"/> in this file.</summary>
    public Diagnostic At(SourcePosition at, string message, string? suggestion = null) => new(File, at.Line, at.Column, message, suggestion);
}
