using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using SmartCity.IoT.Core.Places;

namespace SmartCity.IoT.Gateway.Status.FloorPlans;

/// <summary>
/// Reads, sanitizes and checks the floor plans of the building model, once per model and file version (the file's
/// write time is checked per request, so an edited plan shows at the next refresh). Every problem is logged once per load.
/// </summary>
internal sealed partial class FloorPlanStore(ILogger<FloorPlanStore> logger)
{
    private static readonly HashSet<string> Shapes = new(StringComparer.Ordinal) { "rect", "circle", "ellipse", "polygon", "polyline", "path", "g", "use" };
    private static readonly HashSet<string> NotDrawn = new(StringComparer.Ordinal) { "defs", "symbol", "clipPath", "mask", "pattern", "marker" };

    private readonly ConcurrentDictionary<string, (BuildingModel Model, DateTime Written, FloorPlan Plan)> _plans = new(StringComparer.Ordinal);

    /// <summary>The floor's plan, or null when the place has no <c>floor_plan</c>.</summary>
    public FloorPlan? Get(BuildingModel model, Place floor)
    {
        if (floor.FloorPlan is null)
        {
            return null;
        }

        var path = Resolve(model, floor.FloorPlan);
        var written = File.Exists(path) ? File.GetLastWriteTimeUtc(path) : DateTime.MinValue;
        if (_plans.TryGetValue(floor.Id, out var cached) && ReferenceEquals(cached.Model, model) && cached.Written == written && cached.Plan.Path == path)
        {
            return cached.Plan;
        }

        var plan = Load(model, floor, path);
        _plans[floor.Id] = (model, written, plan);
        foreach (var message in plan.Messages())
        {
            if (plan.Drawable)
            {
                LogNote(logger, floor.Id, message);
            }
            else
            {
                LogUnusable(logger, floor.Id, message);
            }
        }

        return plan;
    }

    /// <summary>The plan's file: relative paths are relative to the model file's folder.</summary>
    public static string Resolve(BuildingModel model, string floorPlan) =>
        Path.GetFullPath(Path.IsPathRooted(floorPlan) || model.SourcePath is null ? floorPlan : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(model.SourcePath))!, floorPlan));

    /// <summary>Reads and checks one floor's plan (also for <c>model validate</c>: <see cref="FloorPlan.Messages"/> are its notes).</summary>
    public static FloorPlan Load(BuildingModel model, Place floor, string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            var where = model.SourcePath is null ? "" : model.SourcePath + ": ";
            return new FloorPlan(floor, path, SanitizedSvg.Refuse(ex.Message), new HashSet<string>(), [], [], $"{where}floor '{floor.Id}': floor_plan '{floor.FloorPlan}' cannot be read ({path}): {ex.Message}");
        }

        return Check(model, floor, path, SvgSanitizer.Sanitize(text, path));
    }

    /// <summary>Matches the drawing's shapes with the floor's places.</summary>
    public static FloorPlan Check(BuildingModel model, Place floor, string path, SanitizedSvg svg)
    {
        var onFloor = new HashSet<string>(StringComparer.Ordinal);
        var below = new List<Place>();
        Descendants(floor, below);
        foreach (var p in below)
        {
            onFloor.Add(p.Id);
        }

        var zones = new HashSet<string>(StringComparer.Ordinal);
        var unknown = new List<string>();
        if (svg.Root is { } root)
        {
            foreach (var e in root.Descendants())
            {
                if (e.Attribute("id")?.Value is not { Length: > 0 } id || !Shapes.Contains(e.Name.LocalName) || e.Ancestors().Any(a => NotDrawn.Contains(a.Name.LocalName)))
                {
                    continue;
                }

                if (onFloor.Contains(id))
                {
                    zones.Add(id);
                }
                else if (model.Find(id) is not null || !EditorId().IsMatch(id))
                {
                    unknown.Add(id);
                }
            }
        }

        // Equipment (an air handler in a zone) is drawn or not as the manager likes; spaces without a shape are worth a note.
        var undrawn = svg.Root is null ? [] : below.Where(p => !zones.Contains(p.Id) && !(PlaceKinds.TryGetLevel(p.Kind, out var level) && level == PlaceLevel.Equipment)).ToList();
        return new FloorPlan(floor, path, svg, zones, unknown, undrawn);
    }

    private static void Descendants(Place place, List<Place> into)
    {
        foreach (var c in place.Children)
        {
            into.Add(c);
            Descendants(c, into);
        }
    }

    /// <summary>Ids drawing programs give every element (rect12, path-3, layer1): not meant as places, so not reported.</summary>
    [GeneratedRegex("^(rect|path|g|layer|circle|ellipse|polygon|polyline|line|text|tspan|use|svg|Layer_)[-_]?[0-9]+$")]
    private static partial Regex EditorId();

    [LoggerMessage(EventId = 2060, Level = LogLevel.Warning, Message = "Floor plan of '{Floor}': {Message}")]
    private static partial void LogNote(ILogger logger, string floor, string message);

    [LoggerMessage(EventId = 2061, Level = LogLevel.Error, Message = "Floor plan of '{Floor}' not shown: {Message}")]
    private static partial void LogUnusable(ILogger logger, string floor, string message);
}
