namespace SmartCity.IoT.Core.Places;

/// <summary>
/// One place of the building model (a site, building, floor, room or zone, or a piece of equipment), with its kind as
/// a Brick Schema class name (<c>Site</c>, <c>Building</c>, <c>Floor</c>, <c>Room</c>, <c>HVAC_Zone</c>,
/// <c>Air_Handling_Unit</c>, ...) and its attributes.
/// </summary>
public sealed class Place
{
    private readonly List<Place> _children = [];
    private readonly string? _tagValue;

    public Place(string id, string name, string kind, IReadOnlyDictionary<string, double>? numbers = null,
        IReadOnlyDictionary<string, string>? texts = null, PlaceHours? occupied = null, string? floorPlan = null)
    {
        Id = id;
        Name = name;
        Kind = kind;
        Numbers = numbers ?? new Dictionary<string, double>(StringComparer.Ordinal);
        Texts = texts ?? new Dictionary<string, string>(StringComparer.Ordinal);
        OwnOccupied = occupied;
        FloorPlan = floorPlan;
    }

    public string Id { get; }

    public string Name { get; }

    /// <summary>The Brick class name.</summary>
    public string Kind { get; }

    public Place? Parent { get; private set; }

    public IReadOnlyList<Place> Children => _children;

    /// <summary>0 for a root (a site), one more for each level down.</summary>
    public int Depth { get; private set; }

    /// <summary>Dense position in <see cref="BuildingModel.Places"/> (0..Count-1): per-place arrays on the hot path index by it.</summary>
    public int Index { get; internal set; } = -1;

    /// <summary>Numeric attributes (<c>capacity</c>, <c>area_m2</c>, <c>max_temperature</c>), as written in the model.</summary>
    public IReadOnlyDictionary<string, double> Numbers { get; }

    /// <summary>Text attributes (<c>use</c>).</summary>
    public IReadOnlyDictionary<string, string> Texts { get; }

    /// <summary>Occupied hours given on this place itself; see <see cref="Occupied"/> for what applies.</summary>
    public PlaceHours? OwnOccupied { get; }

    /// <summary>The occupied hours that apply here: this place's own, else the nearest ancestor's, else null.</summary>
    public PlaceHours? Occupied => OwnOccupied ?? Parent?.Occupied;

    /// <summary>The floor-plan SVG file of a floor (a path relative to the model file), or null.</summary>
    public string? FloorPlan { get; }

    /// <summary>
    /// The value this place gives its level's tag on readings (<c>floor=3</c> for the place <c>hq-3</c>): the model's
    /// <c>tag:</c>, else the id. See <see cref="PlaceTags"/>.
    /// </summary>
    public string TagValue
    {
        get => _tagValue ?? Id;
        init => _tagValue = value;
    }

    /// <summary>Device ids listed on this place in the model (<c>devices:</c>).</summary>
    public IReadOnlyList<string> Devices { get; init; } = [];

    /// <summary>A numeric attribute of this place or, when it has none of that name, of the nearest ancestor that has.</summary>
    public bool TryGetNumber(string name, out double value)
    {
        for (var p = this; p is not null; p = p.Parent)
        {
            if (p.Numbers.TryGetValue(name, out value))
            {
                return true;
            }
        }

        value = double.NaN;
        return false;
    }

    /// <summary>This place and its ancestors, innermost first.</summary>
    public IEnumerable<Place> SelfAndAncestors()
    {
        for (var p = this; p is not null; p = p.Parent)
        {
            yield return p;
        }
    }

    /// <summary>The nearest place of <paramref name="kind"/> among this place and its ancestors, or null.</summary>
    public Place? Nearest(string kind)
    {
        for (var p = this; p is not null; p = p.Parent)
        {
            if (string.Equals(p.Kind, kind, StringComparison.Ordinal))
            {
                return p;
            }
        }

        return null;
    }

    internal void Adopt(Place child)
    {
        child.Parent = this;
        child.Depth = Depth + 1;
        _children.Add(child);
    }

    public override string ToString() => Id;
}
