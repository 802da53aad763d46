using SmartCity.IoT.Core.Loading;

namespace SmartCity.IoT.Core.Places;

/// <summary>
/// Loads the building model file (<c>config/buildings.yaml</c>): places nested under <c>children:</c> or linked by
/// <c>parent:</c> (both may be mixed), their attributes and occupied hours, and the placement of devices. Every mistake
/// is a <see cref="Diagnostic"/> with the file, line and column, all of them found before giving up.
/// </summary>
public static class BuildingModelLoader
{
    /// <summary>What <see cref="DiagnosticException.Subject"/> says.</summary>
    public const string Subject = "the building model";

    /// <summary>Keys at the top of the file.</summary>
    public static IReadOnlyList<string> FileKeys { get; } = ["time_zone", "places", "placement"];

    /// <summary>Keys of a place that are not attributes.</summary>
    public static IReadOnlyList<string> PlaceKeys { get; } = ["id", "name", "kind", "parent", "children", "tag", "floor_plan", "occupied", "time_zone", "devices"];

    /// <summary>Keys of a placement rule.</summary>
    public static IReadOnlyList<string> PlacementKeys { get; } = ["match", "device", "place"];

    /// <summary>Loads <paramref name="path"/>, naming it <paramref name="displayPath"/> (default: as given) in messages.</summary>
    /// <exception cref="DiagnosticException">The file has mistakes; every one is listed.</exception>
    public static BuildingModelDocument Load(string path, string? displayPath = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var errors = new List<Diagnostic>();
        return TryLoad(path, displayPath ?? path, errors) ?? throw new DiagnosticException(Subject, errors);
    }

    /// <summary>Loads <paramref name="path"/>; null (with <paramref name="errors"/> filled) when it has mistakes.</summary>
    public static BuildingModelDocument? TryLoad(string path, string displayPath, List<Diagnostic> errors)
    {
        ArgumentNullException.ThrowIfNull(path);
        var before = errors.Count;
        var source = YamlSource.Load(path, displayPath, errors);
        return errors.Count > before ? null : new BuildingModelReader(source, Path.GetFullPath(path), errors).Read();
    }

    /// <summary>Parses model text; null (with <paramref name="errors"/> filled) when it has mistakes.</summary>
    public static BuildingModelDocument? TryParse(string text, string file, List<Diagnostic> errors)
    {
        var before = errors.Count;
        var source = YamlSource.Parse(text, file, errors);
        return errors.Count > before ? null : new BuildingModelReader(source, null, errors).Read();
    }
}
