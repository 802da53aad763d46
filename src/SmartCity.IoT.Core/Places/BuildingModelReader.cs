using System.Text.RegularExpressions;
using SmartCity.IoT.Core.Loading;
using YamlDotNet.RepresentationModel;

namespace SmartCity.IoT.Core.Places;

/// <summary>Reads one model file's node tree (see <see cref="BuildingModelLoader"/>). One use per file.</summary>
internal sealed partial class BuildingModelReader(YamlSource source, string? fullPath, List<Diagnostic> errors)
{
    private static readonly string[] NumberAttributes = ["capacity", "area_m2"];

    private readonly List<PlaceEntry> _entries = [];
    private readonly Dictionary<string, PlaceEntry> _byId = new(StringComparer.Ordinal);
    private readonly int _errorsBefore = errors.Count;
    private TimeZoneInfo? _fileTimeZone;

    public BuildingModelDocument? Read()
    {
        if (source.Root is null)
        {
            if (source.IsEmpty)
            {
                source.Error(new YamlDotNet.Core.Mark(0, 1, 1), "the model file is empty: describe the buildings under 'places:' (see docs/buildings.md)");
            }

            return null;
        }

        if (source.AsMap(source.Root, "the model file") is not { } root)
        {
            return null;
        }

        source.CheckKeys(root, "the model file", [.. BuildingModelLoader.FileKeys]);
        if (source.Scalar(root, "time_zone", "the model file") is { } tz)
        {
            _fileTimeZone = TimeZoneAt(tz);
        }

        if (YamlSource.Get(root, "places") is not { } places)
        {
            source.Error(root, "the model file is missing 'places:' (the sites, buildings, floors and zones)");
            return null;
        }

        if (source.AsSeq(places, "'places'") is { } list)
        {
            foreach (var item in list)
            {
                ReadPlace(item, null);
            }
        }

        var ordered = ResolveParents();
        var placesOut = BuildPlaces(ordered);
        var (byDevice, devicePositions) = DevicesByPlace();
        var rules = YamlSource.Get(root, "placement") is { } placement ? ReadPlacement(placement, byDevice, devicePositions) : [];
        if (errors.Count > _errorsBefore)
        {
            return null;
        }

        var parents = ordered.ToDictionary(e => e.Place!, e => e.ParentId);
        BuildingModel? model = null;
        var placementOut = new Placement(byDevice, rules, id => model!.Find(id));
        model = new BuildingModel(placesOut, p => parents[p], placementOut.PlaceOf, fullPath);
        var positions = ordered.ToDictionary(e => e.Place!, e => Position(e.Node));
        var attributes = new Dictionary<(Place, string), SourcePosition>();
        foreach (var e in ordered)
        {
            foreach (var (name, at) in e.AttributePositions)
            {
                attributes[(e.Place!, name)] = at;
            }
        }

        return new BuildingModelDocument(source.File, model, placementOut, positions, attributes, devicePositions);
    }

    private void ReadPlace(YamlNode node, PlaceEntry? nestedIn)
    {
        if (source.AsMap(node, "a place") is not { } map)
        {
            return;
        }

        var idNode = source.Scalar(map, "id", "a place");
        if (idNode?.Value is not { Length: > 0 } id)
        {
            source.Error(map, "a place is missing 'id' (add 'id: ...', the name devices and rules use for it)");
            return;
        }

        var what = $"place '{id}'";
        if (!IdPattern().IsMatch(id))
        {
            source.Error(idNode, $"the place id '{id}' may hold only letters, digits, '-', '_' and '.' (it becomes a tag value and a page address)");
        }

        var entry = new PlaceEntry(map, id);
        if (_byId.TryGetValue(id, out var first))
        {
            source.Error(idNode, $"duplicate place id '{id}': it is already used at line {first.Node.Start.Line}, column {first.Node.Start.Column}");
        }
        else
        {
            _byId.Add(id, entry);
            _entries.Add(entry);
        }

        ReadFields(map, entry, what);
        if (nestedIn is not null)
        {
            if (entry.ParentId is { } declared && declared != nestedIn.Id)
            {
                source.Error(entry.ParentNode, $"{what} is nested under '{nestedIn.Id}' but says 'parent: {declared}'; remove one of the two");
            }

            entry.ParentId = nestedIn.Id;
        }

        if (YamlSource.Get(map, "children") is { } children && source.AsSeq(children, $"'children' of {what}") is { } seq)
        {
            foreach (var child in seq)
            {
                ReadPlace(child, entry);
            }
        }
    }

    private void ReadFields(YamlMappingNode map, PlaceEntry entry, string what)
    {
        if (source.Str(map, "name", what) is { Length: > 0 } name)
        {
            entry.Name = name;
        }

        var kindNode = source.Scalar(map, "kind", what);
        if (kindNode?.Value is not { Length: > 0 } kind)
        {
            source.Error(map, $"{what} is missing 'kind' (a Brick class such as Building, Floor, Room, HVAC_Zone; see docs/buildings.md)");
        }
        else if (PlaceKinds.TryGetLevel(kind, out _))
        {
            entry.Kind = kind;
        }
        else
        {
            var hint = DidYouMean.Closest(kind, PlaceKinds.Names);
            source.Error(kindNode, $"unknown kind '{kind}' of {what} ({(hint is null ? "kinds: " + string.Join(", ", PlaceKinds.Names) : $"did you mean '{hint}'?")})", hint);
        }

        entry.Tag = source.Str(map, "tag", what);
        entry.FloorPlan = source.Str(map, "floor_plan", what);
        if (entry.FloorPlan is not null)
        {
            entry.AttributePositions["floor_plan"] = Position(YamlSource.KeyNode(map, "floor_plan"));
        }

        if (YamlSource.Get(map, "parent") is { } parent)
        {
            entry.ParentNode = parent;
            entry.ParentId = source.Str(map, "parent", what);
        }

        if (source.Scalar(map, "time_zone", what) is { } tz)
        {
            entry.TimeZone = TimeZoneAt(tz);
        }

        entry.OccupiedNode = YamlSource.Get(map, "occupied");
        if (entry.OccupiedNode is not null)
        {
            entry.AttributePositions["occupied"] = Position(YamlSource.KeyNode(map, "occupied"));
        }

        foreach (var device in source.StrList(map, "devices", what) ?? [])
        {
            entry.Devices.Add((device, YamlSource.Get(map, "devices")!));
        }

        if (YamlSource.Get(map, "devices") is YamlSequenceNode deviceNodes)
        {
            // Point each device at its own line rather than the list's.
            for (var i = 0; i < entry.Devices.Count && i < deviceNodes.Children.Count; i++)
            {
                entry.Devices[i] = (entry.Devices[i].Device, deviceNodes.Children[i]);
            }
        }

        foreach (var (keyNode, value) in map.Children)
        {
            var key = YamlSource.KeyName(keyNode);
            if (BuildingModelLoader.PlaceKeys.Contains(key))
            {
                continue;
            }

            ReadAttribute(entry, what, keyNode, key, value);
        }
    }

    private void ReadAttribute(PlaceEntry entry, string what, YamlNode keyNode, string key, YamlNode value)
    {
        // Any other key is an attribute, so a misspelt model key would silently become one: refuse near misses.
        if (DidYouMean.Closest(key, BuildingModelLoader.PlaceKeys) is { } near && !NumberAttributes.Contains(key))
        {
            source.Error(keyNode, $"unknown key '{key}' in {what} (did you mean '{near}'?); other keys are attributes, and this one looks like a misspelling", near);
            return;
        }

        entry.AttributePositions[key] = Position(keyNode);
        if (value is not YamlScalarNode { Value: { } text })
        {
            source.Error(value, $"attribute '{key}' of {what} must be a single number or text");
            return;
        }

        var isNumber = YamlSource.TryNumber(text, out var number);
        if (isNumber && value is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain })
        {
            if (NumberAttributes.Contains(key) && number < 0)
            {
                source.Error(value, $"'{key}' of {what} must not be negative, got {text}");
            }

            entry.Numbers[key] = number;
        }
        else if (NumberAttributes.Contains(key) || key.StartsWith("max_", StringComparison.Ordinal) || key.StartsWith("min_", StringComparison.Ordinal))
        {
            source.Error(value, $"'{key}' of {what} must be a number (no unit, no quotes), got '{text}'");
        }
        else
        {
            entry.Texts[key] = text;
        }
    }

    /// <summary>Checks parents exist and form no cycle; the entries that do, parents before children.</summary>
    private List<PlaceEntry> ResolveParents()
    {
        foreach (var e in _entries)
        {
            if (e.ParentId is { } parent && !_byId.ContainsKey(parent))
            {
                var hint = DidYouMean.Closest(parent, _byId.Keys);
                source.Error(e.ParentNode ?? e.Node, $"unknown parent '{parent}' of place '{e.Id}'{(hint is null ? "" : $" (did you mean '{hint}'?)")}", hint);
                e.ParentId = null;
            }
        }

        // 0 = unvisited, 1 = on the current path, 2 = placed.
        var state = new Dictionary<PlaceEntry, int>(ReferenceEqualityComparer.Instance);
        var ordered = new List<PlaceEntry>();
        var inCycle = new HashSet<PlaceEntry>(ReferenceEqualityComparer.Instance);
        foreach (var e in _entries)
        {
            var path = new List<PlaceEntry>();
            for (var p = e; p is not null; p = p.ParentId is { } id ? _byId[id] : null)
            {
                var s = state.GetValueOrDefault(p);
                if (s == 2 || inCycle.Contains(p))
                {
                    break;
                }

                if (s == 1)
                {
                    var start = path.IndexOf(p);
                    var cycle = path[start..];
                    source.Error(p.ParentNode ?? p.Node, $"the parents of '{p.Id}' form a cycle: {string.Join(" -> ", cycle.Select(c => c.Id).Append(p.Id))} (each place needs one parent above it, up to a root)");
                    foreach (var c in cycle)
                    {
                        inCycle.Add(c);
                    }

                    break;
                }

                state[p] = 1;
                path.Add(p);
            }

            // Parents first: the path runs child to root.
            for (var i = path.Count - 1; i >= 0; i--)
            {
                if (!inCycle.Contains(path[i]) && state[path[i]] != 2)
                {
                    var parent = path[i].ParentId is { } pid ? _byId[pid] : null;
                    if (parent is null || state.GetValueOrDefault(parent) == 2)
                    {
                        state[path[i]] = 2;
                        ordered.Add(path[i]);
                    }
                }
            }

            foreach (var p in path)
            {
                if (state[p] == 1)
                {
                    state[p] = 0;
                }
            }
        }

        return ordered;
    }

    private List<Place> BuildPlaces(List<PlaceEntry> ordered)
    {
        var places = new List<Place>(ordered.Count);
        foreach (var e in ordered)
        {
            var hours = e.OccupiedNode is { } node ? ReadHours(e, node) : null;
            e.Place = new Place(e.Id, e.Name, e.Kind, e.Numbers, e.Texts, hours, e.FloorPlan)
            {
                TagValue = e.Tag ?? e.Id,
                Devices = [.. e.Devices.Select(d => d.Device)],
            };
            places.Add(e.Place);
        }

        return places;
    }

    private PlaceHours? ReadHours(PlaceEntry entry, YamlNode node)
    {
        var what = $"'occupied' of place '{entry.Id}'";
        if (source.AsMap(node, what) is not { } map)
        {
            return null;
        }

        var zone = source.Scalar(map, "time_zone", what) is { } tzNode ? TimeZoneAt(tzNode) : TimeZoneOf(entry);
        if (zone is null)
        {
            if (source.Str(map, "time_zone", what) is null)
            {
                source.Error(node, $"{what} needs a time zone: add 'time_zone: Asia/Hong_Kong' here, on the place, on a place above it, or at the top of the file");
            }

            return null;
        }

        var spans = new List<(TimeOnly Start, TimeOnly End)>[7];
        for (var i = 0; i < 7; i++)
        {
            spans[i] = [];
        }

        var ok = true;
        foreach (var (keyNode, value) in map.Children)
        {
            var key = YamlSource.KeyName(keyNode);
            if (key == "time_zone")
            {
                continue;
            }

            if (PlaceHoursParser.Days(key, out var dayError) is not { } days)
            {
                source.Error(keyNode, $"{dayError} in {what}");
                ok = false;
                continue;
            }

            if (value is not YamlScalarNode { Value: { } text })
            {
                source.Error(value, $"the hours of '{key}' in {what} must be one line such as 08:00-18:00 or 08:00-12:00, 13:00-18:00");
                ok = false;
                continue;
            }

            if (!PlaceHoursParser.AddSpans(text, days, spans, out var spanError))
            {
                source.Error(value, $"{spanError} ('{key}' in {what})");
                ok = false;
            }
        }

        return ok ? new PlaceHours(zone, [.. spans.Select(s => s.OrderBy(x => x.Start).ToArray())]) : null;
    }

    private TimeZoneInfo? TimeZoneOf(PlaceEntry entry)
    {
        for (var e = entry; e is not null; e = e.ParentId is { } id ? _byId.GetValueOrDefault(id) : null)
        {
            if (e.TimeZone is { } tz)
            {
                return tz;
            }
        }

        return _fileTimeZone;
    }

    private (Dictionary<string, Place> ByDevice, Dictionary<string, SourcePosition> Positions) DevicesByPlace()
    {
        var byDevice = new Dictionary<string, Place>(StringComparer.Ordinal);
        var positions = new Dictionary<string, SourcePosition>(StringComparer.Ordinal);
        foreach (var e in _entries)
        {
            foreach (var (device, node) in e.Devices)
            {
                AddDevice(byDevice, positions, device, e.Place, node);
            }
        }

        return (byDevice, positions);
    }

    private void AddDevice(Dictionary<string, Place> byDevice, Dictionary<string, SourcePosition> positions, string device, Place? place, YamlNode node)
    {
        if (positions.TryGetValue(device, out var first))
        {
            source.Error(node, $"device '{device}' is placed twice: it is already placed at line {first.Line}, column {first.Column}");
            return;
        }

        positions[device] = Position(node);
        if (place is not null)
        {
            byDevice[device] = place;
        }
    }

    private List<PlacementRule> ReadPlacement(YamlNode node, Dictionary<string, Place> byDevice, Dictionary<string, SourcePosition> positions)
    {
        var rules = new List<PlacementRule>();
        if (source.AsSeq(node, "'placement'") is not { } seq)
        {
            return rules;
        }

        foreach (var item in seq)
        {
            if (source.AsMap(item, "a placement rule") is not { } map)
            {
                continue;
            }

            source.CheckKeys(map, "a placement rule", [.. BuildingModelLoader.PlacementKeys]);
            var placeNode = source.Scalar(map, "place", "a placement rule");
            if (placeNode?.Value is not { Length: > 0 } place)
            {
                source.Error(map, "a placement rule is missing 'place' (the place id, or a template such as \"{building}-{floor}\")");
                continue;
            }

            var conditions = new List<KeyValuePair<string, string>>();
            var device = source.Str(map, "device", "a placement rule");
            if (YamlSource.Get(map, "match") is { } matchNode && source.AsMap(matchNode, "'match' of a placement rule") is { } match)
            {
                foreach (var (keyNode, value) in match.Children)
                {
                    if (value is YamlScalarNode { Value: { } pattern })
                    {
                        conditions.Add(new(YamlSource.KeyName(keyNode), pattern));
                    }
                    else
                    {
                        source.Error(value, $"'{YamlSource.KeyName(keyNode)}' in 'match' must be a single value (a glob such as hq* is allowed)");
                    }
                }
            }

            var isTemplate = place.Contains('{', StringComparison.Ordinal) || place.Contains('}', StringComparison.Ordinal);
            if (isTemplate && !TemplatePattern().IsMatch(place))
            {
                source.Error(placeNode, $"'{place}' is not a place template: write tag names in braces, such as \"{{building}}-{{floor}}\"");
                continue;
            }

            if (!isTemplate && _byId.GetValueOrDefault(place) is not { } target)
            {
                var hint = DidYouMean.Closest(place, _byId.Keys);
                source.Error(placeNode, $"unknown place '{place}' in a placement rule{(hint is null ? "" : $" (did you mean '{hint}'?)")}", hint);
                continue;
            }

            if (device is not null && conditions.Count == 0 && !IsGlob(device) && !isTemplate)
            {
                AddDevice(byDevice, positions, device, _byId[place].Place, YamlSource.Get(map, "device")!);
                continue;
            }

            if (device is not null)
            {
                conditions.Add(new(PlacementRule.DeviceKey, device));
            }

            if (conditions.Count == 0)
            {
                source.Error(map, "a placement rule needs 'match:' (tags, profile, family, device) or 'device:'; to place every other device, write match: { device: \"*\" }");
                continue;
            }

            rules.Add(new PlacementRule(conditions, place, (int)map.Start.Line, (int)map.Start.Column));
        }

        return rules;
    }

    private TimeZoneInfo? TimeZoneAt(YamlScalarNode node)
    {
        var zone = PlaceHoursParser.TimeZone(node.Value ?? "", out var error);
        if (zone is null)
        {
            source.Error(node, error!);
        }

        return zone;
    }

    private static bool IsGlob(string pattern) => pattern.Contains('*', StringComparison.Ordinal) || pattern.Contains('?', StringComparison.Ordinal);

    private static SourcePosition Position(YamlNode node) => new((int)Math.Max(1, node.Start.Line), (int)Math.Max(1, node.Start.Column));

    [GeneratedRegex("^[A-Za-z0-9_.-]+$")]
    private static partial Regex IdPattern();

    [GeneratedRegex(@"^[^{}]*(\{[A-Za-z0-9_]+\}[^{}]*)+$")]
    private static partial Regex TemplatePattern();
}
