using SmartCity.IoT.Core.Places;

namespace SmartCity.IoT.Gateway.Status.FloorPlans;

/// <summary>
/// A floor's plan as the page shows it: the sanitized drawing, which of its shapes are the floor's places, and what the
/// facility manager should fix (removed content, shapes no place has, places no shape draws).
/// </summary>
internal sealed class FloorPlan
{
    public FloorPlan(Place floor, string path, SanitizedSvg svg, IReadOnlySet<string> zones, IReadOnlyList<string> unknownShapes, IReadOnlyList<Place> undrawn, string? missing = null)
    {
        Floor = floor;
        Path = path;
        Svg = svg;
        Zones = zones;
        UnknownShapes = unknownShapes;
        Undrawn = undrawn;
        Missing = missing;
    }

    public Place Floor { get; }

    /// <summary>The SVG file, resolved.</summary>
    public string Path { get; }

    public SanitizedSvg Svg { get; }

    /// <summary>Ids of the shapes that draw a place of this floor.</summary>
    public IReadOnlySet<string> Zones { get; }

    /// <summary>Ids of shapes that match no place of this floor (editor-generated ids such as <c>rect12</c> aside).</summary>
    public IReadOnlyList<string> UnknownShapes { get; }

    /// <summary>Places of the floor that no shape draws.</summary>
    public IReadOnlyList<Place> Undrawn { get; }

    /// <summary>Why the file could not be read (missing, unreadable), or null.</summary>
    public string? Missing { get; }

    /// <summary>Whether there is a drawing to show.</summary>
    public bool Drawable => Missing is null && Svg.Root is not null;

    /// <summary>Everything worth telling whoever maintains the plan, one message each.</summary>
    public IEnumerable<string> Messages()
    {
        if (Missing is not null)
        {
            yield return Missing;
            yield break;
        }

        if (Svg.Refused is { } refused)
        {
            yield return "floor plan refused: " + refused;
            yield break;
        }

        foreach (var r in Svg.Removed)
        {
            yield return r;
        }

        foreach (var id in UnknownShapes)
        {
            yield return $"{Path}: shape id '{id}' is not a place of floor '{Floor.Id}' in the building model (a zone's shape takes its place id)";
        }

        foreach (var p in Undrawn)
        {
            yield return $"{Path}: place '{p.Id}' ({p.Name}) of floor '{Floor.Id}' has no shape in the floor plan";
        }
    }
}
