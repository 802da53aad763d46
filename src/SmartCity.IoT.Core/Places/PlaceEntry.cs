using YamlDotNet.RepresentationModel;

namespace SmartCity.IoT.Core.Places;

/// <summary>One place as read from the file, before parents are resolved.</summary>
internal sealed class PlaceEntry(YamlMappingNode node, string id)
{
    public YamlMappingNode Node { get; } = node;

    public string Id { get; } = id;

    public string Name { get; set; } = id;

    public string Kind { get; set; } = "";

    public string? Tag { get; set; }

    public string? FloorPlan { get; set; }

    /// <summary>The parent's id: from <c>parent:</c>, else the place it is nested in.</summary>
    public string? ParentId { get; set; }

    public YamlNode? ParentNode { get; set; }

    public YamlNode? OccupiedNode { get; set; }

    public TimeZoneInfo? TimeZone { get; set; }

    public Dictionary<string, double> Numbers { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> Texts { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, SourcePosition> AttributePositions { get; } = new(StringComparer.Ordinal);

    public List<(string Device, YamlNode Node)> Devices { get; } = [];

    public Place? Place { get; set; }
}
