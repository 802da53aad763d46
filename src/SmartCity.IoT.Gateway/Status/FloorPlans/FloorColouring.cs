using System.Globalization;
using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Core.Model;
using SmartCity.IoT.Core.Places;
using SmartCity.IoT.Gateway.Status.Buildings;
using SmartCity.IoT.Gateway.Status.Pages;

namespace SmartCity.IoT.Gateway.Status.FloorPlans;

/// <summary>
/// The colour of each zone of a floor plan, from the rolled-up state (<see cref="PlaceRollup"/>): by the worst alert firing
/// in the zone, or by the average latest value of one field on a five-step scale, with the legend that explains it.
/// </summary>
internal sealed class FloorColouring
{
    /// <summary>Alert colours, the same as the building tree's dots.</summary>
    public static readonly IReadOnlyDictionary<string, string> AlertFills = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["none"] = "#2da44e",
        ["info"] = "#54aeff",
        ["warning"] = "#d4a72c",
        ["major"] = "#fb8f44",
        ["critical"] = "#cf222e",
    };

    /// <summary>No device in the zone, or none reporting the field.</summary>
    public const string EmptyFill = "#d0d7de";

    /// <summary>Every device in the zone silent.</summary>
    public const string SilentFill = "#8c959f";

    /// <summary>Low to high: green, light green, yellow, orange, red (ColorBrewer's RdYlGn reversed).</summary>
    public static readonly string[] ScaleFills = ["#1a9850", "#91cf60", "#fee08b", "#fc8d59", "#d73027"];

    /// <summary>Fixed scales for fields whose comfortable range is well known, so a floor's colours mean the same every day.</summary>
    private static readonly Dictionary<string, (double Low, double High)> KnownScales = new(StringComparer.Ordinal)
    {
        ["temperature"] = (18, 28),
        ["humidity"] = (20, 80),
        ["co2"] = (400, 1400),
    };

    private FloorColouring(string mode, string title, Dictionary<string, ZoneColour> zones, List<(string Fill, string Label)> legend)
    {
        Mode = mode;
        Title = title;
        Zones = zones;
        Legend = legend;
    }

    /// <summary><c>alerts</c> or the field's name.</summary>
    public string Mode { get; }

    /// <summary>What the colours show, for the legend's heading.</summary>
    public string Title { get; }

    /// <summary>Per zone place id.</summary>
    public IReadOnlyDictionary<string, ZoneColour> Zones { get; }

    public IReadOnlyList<(string Fill, string Label)> Legend { get; }

    public static FloorColouring ByAlerts(FloorPlan plan, PlaceRollup rollup)
    {
        var zones = new Dictionary<string, ZoneColour>(StringComparer.Ordinal);
        foreach (var id in plan.Zones)
        {
            var place = rollup.Model.Find(id)!;
            var devices = rollup.DeviceCount(place);
            var alerts = rollup.AlertCount(place);
            zones[id] = rollup.Worst(place) is { } worst
                ? new ZoneColour(AlertFills[Name(worst)], Name(worst), $"{place.Name}: {alerts} {(alerts == 1 ? "alert" : "alerts")} firing, worst {Name(worst)}")
                : devices == 0
                    ? new ZoneColour(EmptyFill, "empty", $"{place.Name}: no devices")
                    : rollup.SilentCount(place) == devices
                        ? new ZoneColour(SilentFill, "silent", $"{place.Name}: all {devices} devices silent")
                        : new ZoneColour(AlertFills["none"], "none", $"{place.Name}: no alert firing ({devices} {(devices == 1 ? "device" : "devices")})");
        }

        List<(string, string)> legend =
        [
            (AlertFills["none"], "no alert firing"), (AlertFills["info"], "info"), (AlertFills["warning"], "warning"), (AlertFills["major"], "major"),
            (AlertFills["critical"], "critical"), (SilentFill, "all devices silent"), (EmptyFill, "no devices"),
        ];
        return new FloorColouring("alerts", "Worst alert firing in each zone", zones, legend);
    }

    /// <summary>
    /// By the average latest value of <paramref name="field"/>. <c>people_count</c> in zones that all have a <c>capacity</c> is
    /// coloured by occupancy (share of the capacity); temperature, humidity and CO2 on fixed comfort scales; other fields from
    /// the lowest to the highest zone value on the floor.
    /// </summary>
    public static FloorColouring ByField(FloorPlan plan, PlaceRollup rollup, FieldDefinition field)
    {
        var values = new Dictionary<string, (Place Place, double Value, int Count)>(StringComparer.Ordinal);
        foreach (var id in plan.Zones)
        {
            var place = rollup.Model.Find(id)!;
            var (avg, n) = rollup.Average(place, field.Id);
            values[id] = (place, avg, n);
        }

        var occupancy = field.Name == "people_count" && values.Count > 0 && values.Values.All(v => v.Place.TryGetNumber("capacity", out var c) && c > 0);
        double Scaled(Place p, double v) => occupancy && p.TryGetNumber("capacity", out var c) ? v / c * 100 : v;
        var present = values.Values.Where(v => v.Count > 0).Select(v => Scaled(v.Place, v.Value)).ToList();
        var (low, high) = occupancy ? (0d, 100d)
            : KnownScales.TryGetValue(field.Name, out var known) ? known
            : present.Count > 0 ? (present.Min(), present.Max()) : (0d, 1d);
        if (high - low < 1e-9)
        {
            high = low + 1;
        }

        var step = (high - low) / ScaleFills.Length;
        string Format(double v) => occupancy ? v.ToString("0", CultureInfo.InvariantCulture) + " %" : Humanize.Value(field, v);
        var zones = new Dictionary<string, ZoneColour>(StringComparer.Ordinal);
        foreach (var (id, (place, avg, n)) in values)
        {
            if (n == 0)
            {
                zones[id] = new ZoneColour(EmptyFill, "empty", $"{place.Name}: no {field.Name} reported");
                continue;
            }

            var scaled = Scaled(place, avg);
            var bin = Math.Clamp((int)Math.Floor((scaled - low) / step), 0, ScaleFills.Length - 1);
            var what = occupancy ? $"{Humanize.Value(field, avg)} of {(place.TryGetNumber("capacity", out var cap) ? cap : double.NaN).ToString("0", CultureInfo.InvariantCulture)} ({Format(scaled)})" : Humanize.Value(field, avg);
            zones[id] = new ZoneColour(ScaleFills[bin], "bin-" + bin, $"{place.Name}: {field.Name} {what}{(n > 1 ? $", average of {n} devices" : "")}");
        }

        var legend = new List<(string, string)>();
        for (var i = 0; i < ScaleFills.Length; i++)
        {
            var from = low + i * step;
            legend.Add((ScaleFills[i], i == 0 ? $"below {Format(from + step)}" : i == ScaleFills.Length - 1 ? $"{Format(from)} and above" : $"{Format(from)} to {Format(from + step)}"));
        }

        legend.Add((EmptyFill, $"no {field.Name} reported"));
        return new FloorColouring(field.Name, occupancy ? "Occupancy: people_count as a share of each zone's capacity" : $"Average {field.Name} in each zone", zones, legend);
    }

    private static string Name(AlertSeverity s) => s.ToString().ToLowerInvariant();
}
