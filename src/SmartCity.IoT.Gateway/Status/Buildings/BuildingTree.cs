using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Rules.Engine;

namespace SmartCity.IoT.Gateway.Status.Buildings;

/// <summary>The devices grouped into places with their counts, worst alerts and key values; built per request (off the hot path).</summary>
internal sealed class BuildingTree
{
    private BuildingTree(List<PlaceNode> buildings, int devices, int silent, int matched)
    {
        Buildings = buildings;
        DeviceCount = devices;
        SilentCount = silent;
        MatchedCount = matched;
    }

    /// <summary>The outermost places, in name order.</summary>
    public IReadOnlyList<PlaceNode> Buildings { get; }

    public int DeviceCount { get; }

    public int SilentCount { get; }

    public int ReportingCount => DeviceCount - SilentCount;

    /// <summary>Devices that matched the search (all of them without one).</summary>
    public int MatchedCount { get; }

    /// <param name="devices">Every device the gateway knows.</param>
    /// <param name="alerts">The rule engine's active alerts.</param>
    /// <param name="keyFields">Vocabulary ids whose averages places show.</param>
    /// <param name="silentBeforeNs">Devices last seen before this (Unix ns) are silent.</param>
    /// <param name="search">Keeps devices whose id, profile or a tag value contains it (case-insensitive); null or empty keeps all.</param>
    public static BuildingTree Build(IReadOnlyList<DeviceState> devices, IPlaceHierarchy hierarchy, IReadOnlyList<ActiveAlertInfo> alerts, IReadOnlyList<int> keyFields, long silentBeforeNs, string? search)
    {
        var worstByDevice = new Dictionary<(string, string), (AlertSeverity Worst, int Count)>();
        foreach (var a in alerts)
        {
            var key = (a.ProfileId, a.DeviceId);
            worstByDevice[key] = worstByDevice.TryGetValue(key, out var w) ? (w.Worst > a.Severity ? w.Worst : a.Severity, w.Count + 1) : (a.Severity, 1);
        }

        var roots = new SortedDictionary<string, PlaceNode>(PlaceNameComparer.Instance);
        // Found by hash, not by the sorted dictionaries' number-aware comparer: one lookup per level of 10,000 devices.
        var nodes = new Dictionary<(PlaceNode? Parent, string Name), PlaceNode>();
        int silentTotal = 0, matched = 0;
        foreach (var d in devices)
        {
            var silent = !d.Online || d.LastSeenUnixNs < silentBeforeNs;
            if (silent)
            {
                silentTotal++;
            }

            if (!string.IsNullOrEmpty(search) && !Matches(d, search))
            {
                continue;
            }

            matched++;
            var hasAlert = worstByDevice.TryGetValue((d.Profile.Id, d.DeviceId), out var alert);
            var names = hierarchy.PlaceOf(d);
            var level = roots;
            PlaceNode? node = null;
            for (var i = 0; i < names.Count; i++)
            {
                var parent = node;
                if (!nodes.TryGetValue((parent, names[i]), out node))
                {
                    // The sorted lookup still decides, so names it holds equal ("01" and "1") stay one place.
                    if (!level.TryGetValue(names[i], out node))
                    {
                        var path = string.Join('/', names.Take(i + 1));
                        node = new PlaceNode(names[i], path, i) { PlaceId = hierarchy.PlaceIdOf(path) };
                        level.Add(names[i], node);
                    }

                    nodes.Add((parent, names[i]), node);
                }

                node.DeviceCount++;
                node.Silent += silent ? 1 : 0;
                if (hasAlert)
                {
                    node.Alerts += alert.Count;
                    node.Worst = node.Worst is { } w && w > alert.Worst ? w : alert.Worst;
                }

                foreach (var id in keyFields)
                {
                    var v = d.Latest[id];
                    if (!double.IsNaN(v) && !silent)
                    {
                        var s = node.KeyValues.GetValueOrDefault(id);
                        node.KeyValues[id] = (s.Sum + v, s.Count + 1);
                    }
                }

                level = node.Children;
            }

            node!.Devices.Add(d);
        }

        return new BuildingTree([.. roots.Values], devices.Count, silentTotal, matched);
    }

    private static bool Matches(DeviceState d, string search)
    {
        if (d.DeviceId.Contains(search, StringComparison.OrdinalIgnoreCase) || d.Profile.Id.Contains(search, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        foreach (var kv in d.Tags)
        {
            if (kv.Value.Contains(search, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
