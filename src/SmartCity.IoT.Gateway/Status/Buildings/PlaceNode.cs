using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Core.Devices;

namespace SmartCity.IoT.Gateway.Status.Buildings;

/// <summary>One place of the building tree (a building, floor or zone) with what the page shows about it.</summary>
internal sealed class PlaceNode(string name, string path, int level)
{
    public string Name { get; } = name;

    /// <summary>The place's names joined with '/', e.g. <c>hq/4/east</c>: its id in links and searches.</summary>
    public string Path { get; } = path;

    public int Level { get; } = level;

    /// <summary>The building model's id of this place (its place page), or null when places come from tags.</summary>
    public string? PlaceId { get; init; }

    public SortedDictionary<string, PlaceNode> Children { get; } = new(PlaceNameComparer.Instance);

    /// <summary>Devices placed exactly here (not in a child place).</summary>
    public List<DeviceState> Devices { get; } = [];

    public int DeviceCount { get; set; }

    public int Silent { get; set; }

    public int Alerts { get; set; }

    /// <summary>The most severe alert firing in this place or below, or null.</summary>
    public AlertSeverity? Worst { get; set; }

    /// <summary>Per key field id: sum and count of the latest values of the devices here and below.</summary>
    public Dictionary<int, (double Sum, int Count)> KeyValues { get; } = [];
}
