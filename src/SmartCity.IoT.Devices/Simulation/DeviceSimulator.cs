using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Core.Model;

namespace SmartCity.IoT.Devices.Simulation;

/// <summary>
/// Produces realistic payloads for any profile by encoding values through the profile itself (the inverse of decoding):
/// values follow a daily cycle inside the vocabulary's typical band and stay within the profile's ranges. Anomalies are
/// episodes per device: one field with an anomaly band holds one value in that band for 2 to 8 minutes (long enough for
/// rules with a short <c>for:</c>), then returns to normal for at least 20 minutes, so alerts fire once and resolve
/// rather than flap. Quiet gaps between episodes are drawn so that each device spends about
/// <see cref="SimulatorOptions.AnomalyRate"/> of its time in an episode. Every payload decodes through the catalog.
/// Not thread-safe.
/// The demo and the load tests publish what <see cref="Next"/> returns.
/// </summary>
public sealed class DeviceSimulator
{
    private static readonly string[] Buildings = ["hq", "annex"];
    private static readonly string[] Sites = ["kai-tak-p3", "tko-s2"];
    private static readonly string[] Zones = ["podium-east", "core-west", "roof"];
    private static readonly string[] Levels = ["B1", "B2", "B3"];
    private static readonly TimeSpan HongKong = TimeSpan.FromHours(8);
    private static readonly TimeSpan ShortestEpisode = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan LongestEpisode = TimeSpan.FromMinutes(8);

    // Longer than the widest window a shipped rule clears on (avg over 15 min), so an alert resolves before the
    // device's next episode instead of one alert spanning two episodes.
    private static readonly TimeSpan QuietAfterEpisode = TimeSpan.FromMinutes(20);

    private readonly DeviceCatalog _catalog;
    private readonly SimulatorOptions _options;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly List<(SimulatedDevice Device, string? FieldKey, FieldMapping? Mapping)> _slots = [];
    private int _next;

    public DeviceSimulator(DeviceCatalog catalog, SimulatorOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _catalog = catalog;
        _options = options;
        _time = time;
        _random = options.Seed is { } seed ? new Random(seed) : new Random();
        var start = time.GetUtcNow();
        var devices = new List<SimulatedDevice>();
        foreach (var profile in MatchingProfiles(catalog, options.DevicePattern))
        {
            if (!CanSimulate(profile))
            {
                continue;
            }

            for (var n = 1; n <= options.DevicesPerProfile; n++)
            {
                var device = new SimulatedDevice(profile, n, SegmentValues(profile, n), _random.NextDouble() * 2 - 1, AnomalyFields(catalog, profile));
                device.NextEpisode = NextEpisodeAfter(start, afterEpisode: false);
                devices.Add(device);
                if (profile.Decoding.Decoder is ValuePayloadDecoder value)
                {
                    for (var i = 0; i < value.Keys.Count; i++)
                    {
                        _slots.Add((device, value.Keys[i], value.Fields[i]));
                    }
                }
                else
                {
                    _slots.Add((device, null, null));
                }
            }
        }

        if (devices.Count == 0)
        {
            throw new ArgumentException($"No profile matches '{options.DevicePattern}'. Profiles: {string.Join(", ", catalog.Profiles.Select(p => p.Id))}", nameof(options));
        }

        Devices = devices;
    }

    internal IReadOnlyList<SimulatedDevice> Devices { get; }

    /// <summary>The profiles a <see cref="SimulatorOptions.DevicePattern"/> selects (globs on profile ids, comma-separated).</summary>
    public static IReadOnlyList<DeviceProfile> MatchingProfiles(DeviceCatalog catalog, string pattern)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(pattern);
        var patterns = pattern.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Glob).ToArray();
        return catalog.Profiles.Where(p => patterns.Any(g => g.IsMatch(p.Id))).ToList();
    }

    /// <summary>Messages in one round over every device (and every field of one-value-per-topic devices).</summary>
    internal int MessagesPerRound => _slots.Count;

    /// <summary>The next message, round-robin over the simulated devices.</summary>
    public SimulatedMessage Next()
    {
        var (device, fieldKey, mapping) = _slots[_next];
        _next = (_next + 1) % _slots.Count;
        var now = _time.GetUtcNow();
        UpdateEpisode(device, now);
        var decoding = device.Profile.Decoding;
        var template = decoding.Topics[0];
        switch (decoding.Decoder)
        {
            case ValuePayloadDecoder:
                var v = Value(device, mapping!, now);
                return new SimulatedMessage(device.Topic(template, fieldKey), Encoding.UTF8.GetBytes(Text(mapping!, v)));
            case BinaryPayloadDecoder binary:
                var frame = Frame(device, binary.Layout, now);
                var payload = binary.Encoding switch
                {
                    BinaryEncoding.Hex => Encoding.ASCII.GetBytes(Convert.ToHexString(frame)),
                    BinaryEncoding.Base64 => Encoding.ASCII.GetBytes(Convert.ToBase64String(frame)),
                    _ => frame,
                };
                return new SimulatedMessage(device.Topic(template), payload);
            case RecordPayloadDecoder records:
                var list = Records(device, records.Layout, now);
                return new SimulatedMessage(device.Topic(template), records.Encoding switch
                {
                    BinaryEncoding.Hex => Encoding.ASCII.GetBytes(Convert.ToHexString(list)),
                    BinaryEncoding.Base64 => Encoding.ASCII.GetBytes(Convert.ToBase64String(list)),
                    _ => list,
                });
            case JsonPayloadDecoder json:
                return new SimulatedMessage(device.Topic(template), Encoding.UTF8.GetBytes(Json(device, json, now).ToJsonString()));
            case SenmlPayloadDecoder senml:
                return new SimulatedMessage(device.Topic(template), Encoding.UTF8.GetBytes(Senml(device, senml, now).ToJsonString()));
            default:
                throw new NotSupportedException(decoding.Decoder.GetType().Name);
        }
    }

    /// <summary>An availability message for a device whose profile has an availability topic, else null.</summary>
    /// <summary>
    /// Whether the simulator can encode the profile's payloads: JSON, binary and value profiles; Sparkplug B (a session
    /// of BIRTH and DATA) and JavaScript codecs (no encoder) are not simulated.
    /// </summary>
    public static bool CanSimulate(DeviceProfile profile) =>
        profile.Decoding.Decoder is ValuePayloadDecoder or BinaryPayloadDecoder or JsonPayloadDecoder;

    internal SimulatedMessage? Availability(SimulatedDevice device, bool online)
    {
        if (device.Profile.Decoding.Availability is not { } a)
        {
            return null;
        }

        var word = online ? a.Values.Online[0] : a.Values.Offline[0];
        var payload = a.Path is null ? word : PathObject(a.Path, JsonValue.Create(word)).ToJsonString();
        return new SimulatedMessage(device.Topic(a.Template), Encoding.UTF8.GetBytes(payload));
    }

    /// <summary>A SenML pack: one record per field at the current time (and the device as base name when the profile reads it there).</summary>
    private JsonArray Senml(SimulatedDevice device, SenmlPayloadDecoder senml, DateTimeOffset now)
    {
        var pack = new JsonArray();
        var keys = senml.Keys;
        for (var i = 0; i < senml.Fields.Count; i++)
        {
            var mapping = senml.Fields[i];
            var record = new JsonObject();
            if (i == 0)
            {
                if (senml.DeviceFromBaseName)
                {
                    record["bn"] = device.DeviceId + ":";
                }

                record["bt"] = now.ToUnixTimeMilliseconds() / 1000.0;
            }

            record["n"] = keys[i];
            var value = Value(device, mapping, now);
            record[mapping.Field.Type switch { FieldType.Boolean => "vb", FieldType.Enum => "vs", _ => "v" }] = mapping.Field.Type switch
            {
                FieldType.Boolean => JsonValue.Create(value != 0),
                FieldType.Enum => JsonValue.Create(MapKey(mapping, value)?.Key ?? mapping.Field.EnumValues[(int)value]),
                _ => JsonValue.Create(Raw(mapping, value)),
            };
            pack.Add(record);
        }

        return pack;
    }

    private JsonNode Json(SimulatedDevice device, JsonPayloadDecoder json, DateTimeOffset now)
    {
        var root = new JsonObject();
        var frameFields = new HashSet<FieldMapping>(ReferenceEqualityComparer.Instance);
        var layout = FrameLayout(device.Profile);
        if (layout is not null)
        {
            foreach (var f in layout.Value.Layout.Fields)
            {
                frameFields.Add(f.Mapping);
            }

            var frame = Frame(device, layout.Value.Layout, now);
            var text = layout.Value.Encoding == BinaryEncoding.Hex ? Convert.ToHexString(frame) : Convert.ToBase64String(frame);
            Set(root, JsonPath.Parse(layout.Value.Path), JsonValue.Create(text));
        }

        var fields = json.Fields.Where(f => !frameFields.Contains(f)).ToList();
        foreach (var mapping in fields)
        {
            var value = Value(device, mapping, now);
            Set(root, JsonPath.Parse(mapping.Source), JsonScalar(mapping, value));
        }

        if (TimestampOf(device.Profile) is { } ts)
        {
            Set(root, ts.Path, ts.Format switch
            {
                TimestampFormat.Iso8601 when ts.Offset != TimeSpan.Zero => JsonValue.Create(now.ToOffset(ts.Offset).ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture)),
                TimestampFormat.Iso8601 => JsonValue.Create(now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)),
                TimestampFormat.UnixSeconds => JsonValue.Create(now.ToUnixTimeSeconds()),
                TimestampFormat.UnixMicroseconds => JsonValue.Create(now.ToUnixTimeMilliseconds() * 1000),
                TimestampFormat.UnixNanoseconds => JsonValue.Create(now.ToUnixTimeMilliseconds() * 1_000_000),
                _ => JsonValue.Create(now.ToUnixTimeMilliseconds()),
            });
        }

        foreach (var tag in json.Tags)
        {
            Set(root, JsonPath.Parse(tag.Source), JsonValue.Create(TagValue(tag.Key, device)));
        }

        return root;
    }

    private static string TagValue(string key, SimulatedDevice device) => key switch
    {
        "dev_eui" => $"A84041{device.Profile.Index:X4}{device.Number:X6}",
        _ => $"{key.Replace('_', '-')}-{device.Number:D3}".ToUpperInvariant(),
    };

    private byte[] Frame(SimulatedDevice device, BinaryLayout layout, DateTimeOffset now)
    {
        var frame = new byte[Math.Max(layout.MinLength, layout.FrameLength)];
        foreach (var m in layout.Markers)
        {
            m.Bytes.CopyTo(frame, m.Offset);
        }

        foreach (var f in layout.Fields)
        {
            Write(device, f, frame, now);
        }

        return frame;
    }

    /// <summary>Every mapped record once, in a random order (devices send their records in any order).</summary>
    private byte[] Records(SimulatedDevice device, RecordLayout layout, DateTimeOffset now)
    {
        var records = layout.Types.SelectMany(t => t.Values.GroupBy(v => v.Channel).Select(g => (Type: t, Channel: g.Key, Values: g.ToList()))).ToArray();
        _random.Shuffle(records);
        var frame = new List<byte>();
        foreach (var (type, channel, values) in records)
        {
            if (layout.Marker == RecordMarker.ChannelType)
            {
                frame.Add((byte)Math.Max(0, channel));
            }

            frame.Add(type.Code);
            if (layout.LengthPrefixed)
            {
                frame.Add((byte)type.Length);
            }

            var data = new byte[type.Length];
            foreach (var v in values)
            {
                Write(device, v.Field, data, now);
            }

            frame.AddRange(data);
        }

        return [.. frame];
    }

    private void Write(SimulatedDevice device, BinaryField f, byte[] frame, DateTimeOffset now)
    {
        var canonical = Value(device, f.Mapping, now);
        double raw;
        if (f.Mapping.Field.Type is FieldType.Enum or FieldType.Boolean)
        {
            raw = MapKey(f.Mapping, canonical) is { NumericKey: { } k } ? k : canonical;
        }
        else
        {
            raw = f.Mapping.FromCanonical(canonical);
        }

        if (f.IsFloat)
        {
            f.WriteRaw(frame, 0, (raw - f.Add) / f.Scale);
            return;
        }

        var (lo, hi) = f.RawRange;
        var integer = (long)Math.Round((raw - f.Add) / f.Scale);
        f.WriteRaw(frame, Math.Clamp(integer, lo, hi));
    }

    /// <summary>A canonical value for the field: daily cycle within the typical band, or an anomaly; inside the profile's range.</summary>
    private double Value(SimulatedDevice device, FieldMapping mapping, DateTimeOffset now)
    {
        var field = mapping.Field;
        var anomaly = device.EpisodeField == mapping.FieldId;
        _catalog.VocabularyEntries.TryGetValue(field.Name, out var entry);
        var hour = now.ToOffset(HongKong).TimeOfDay.TotalHours + device.PhaseHours;
        var day = 0.5 + 0.5 * Math.Sin((hour - 9) / 24 * 2 * Math.PI); // lowest around 03:00, highest around 15:00
        switch (field.Type)
        {
            case FieldType.Boolean:
                if (anomaly && entry?.Anomaly is { } ab)
                {
                    return ab.Min;
                }

                return _random.NextDouble() < 0.1 + 0.7 * day ? 1 : 0;
            case FieldType.Enum:
                if (anomaly && entry?.Anomaly is { } ae)
                {
                    return ae.Min;
                }

                var normal = Enumerable.Range(0, field.EnumValues.Count).Where(i => entry?.Anomaly is not { } a || i != (int)a.Min).ToArray();
                var mappable = normal.Where(i => mapping.Map.Length == 0 || mapping.Map.Any(m => m.Value == i)).ToArray();
                return mappable.Length > 0 ? mappable[_random.Next(mappable.Length)] : 0;
        }

        var (lo, hi) = entry?.Typical ?? (field.Min, field.Max);
        double value;
        if (anomaly && entry?.Anomaly is { } an)
        {
            // Held for the whole episode, so a rule sees one steady excursion rather than noise around its threshold.
            value = an.Min + (an.Max - an.Min) * device.EpisodeLevel;
        }
        else
        {
            value = lo + (hi - lo) * (0.1 + 0.8 * day) + (hi - lo) * 0.05 * (_random.NextDouble() * 2 - 1);
        }

        if (field.Name == "crack_width")
        {
            // Cracks do not wiggle: they hold, at the episode's width while it lasts.
            if (!anomaly || entry?.Anomaly is null)
            {
                value = lo + (hi - lo) * 0.3;
            }
        }

        if (field.IsCounter)
        {
            // A counter only grows: through its typical band over a year, then it starts again (a reset, as meters do).
            var year = (now.ToUnixTimeSeconds() / 86400.0 + device.PhaseHours * 15) % 365 / 365;
            value = lo + (hi - lo) * year;
        }

        // Keeps clear of the range's ends, but by less than the typical band: a thousandth of a wide range (200 ppm of
        // h2s, 1000 NTU) is above a low band and would hold normal values past the rules' clear thresholds.
        var margin = Math.Min((mapping.Max - mapping.Min) * 0.001, (hi - lo) * 0.01);
        value = Math.Clamp(value, mapping.Min + margin, mapping.Max - margin);
        if (field.Type == FieldType.Integer)
        {
            value = Math.Clamp(Math.Round(value), Math.Ceiling(mapping.Min), Math.Floor(mapping.Max));
        }
        else if (mapping.Decimals >= 0)
        {
            value = Math.Round(value, mapping.Decimals);
        }

        return value;
    }

    /// <summary>Ends the device's episode when its time is up and starts the next one when its quiet gap is over.</summary>
    private void UpdateEpisode(SimulatedDevice device, DateTimeOffset now)
    {
        if (device.EpisodeField >= 0 && now >= device.EpisodeEnd)
        {
            device.EpisodeField = -1;
            device.NextEpisode = NextEpisodeAfter(device.EpisodeEnd, afterEpisode: true);
        }

        if (device.EpisodeField < 0 && now >= device.NextEpisode && device.AnomalyFields.Count > 0)
        {
            device.EpisodeField = device.AnomalyFields[_random.Next(device.AnomalyFields.Count)];
            device.EpisodeLevel = _random.NextDouble();
            device.EpisodeEnd = now + ShortestEpisode + (LongestEpisode - ShortestEpisode) * _random.NextDouble();
        }
    }

    /// <summary>
    /// The end of a quiet gap starting at <paramref name="from"/>: after an episode at least <see cref="QuietAfterEpisode"/>
    /// (or half the mean gap, for high rates), then exponential (from the start only exponential, so the demo's first
    /// minutes have anomalies too), with the mean that makes episodes (5 minutes on average) take
    /// <see cref="SimulatorOptions.AnomalyRate"/> of the time; never for a rate of 0.
    /// </summary>
    private DateTimeOffset NextEpisodeAfter(DateTimeOffset from, bool afterEpisode)
    {
        var rate = _options.AnomalyRate;
        var mean = (ShortestEpisode + LongestEpisode).TotalMinutes / 2 * ((1 - rate) / rate);
        var quiet = afterEpisode ? Math.Min(QuietAfterEpisode.TotalMinutes, mean / 2) : 0;
        var minutes = quiet + (mean - quiet) * -Math.Log(1 - _random.NextDouble());
        var room = (DateTimeOffset.MaxValue - from).TotalMinutes;
        return rate <= 0 || !(minutes < room) ? DateTimeOffset.MaxValue : from.AddMinutes(minutes);
    }

    /// <summary>Fields of the profile an episode can take: those with an anomaly band that are not counters.</summary>
    private static int[] AnomalyFields(DeviceCatalog catalog, DeviceProfile profile) =>
        profile.Decoding.Fields
            .Where(m => !m.Field.IsCounter && catalog.VocabularyEntries.TryGetValue(m.Field.Name, out var e) && e.Anomaly is not null)
            .Select(m => m.FieldId)
            .Distinct()
            .ToArray();

    private static string Text(FieldMapping mapping, double canonical)
    {
        if (mapping.Field.Type is FieldType.Enum or FieldType.Boolean)
        {
            return MapKey(mapping, canonical)?.Key ?? (mapping.Field.Type == FieldType.Boolean ? (canonical != 0 ? "true" : "false") : mapping.Field.EnumValues[(int)canonical]);
        }

        return Raw(mapping, canonical).ToString("R", CultureInfo.InvariantCulture);
    }

    private static JsonNode JsonScalar(FieldMapping mapping, double canonical)
    {
        switch (mapping.Field.Type)
        {
            case FieldType.Enum:
            case FieldType.Boolean:
                if (MapKey(mapping, canonical) is { } key)
                {
                    return key.NumericKey is { } n ? JsonValue.Create(n) : JsonValue.Create(key.Key);
                }

                return mapping.Field.Type == FieldType.Boolean ? JsonValue.Create(canonical != 0) : JsonValue.Create(mapping.Field.EnumValues[(int)canonical]);
            case FieldType.Integer when mapping.Factor == 1 && mapping.Offset == 0:
                return JsonValue.Create((long)canonical);
            default:
                return JsonValue.Create(Raw(mapping, canonical));
        }
    }

    /// <summary>The value in the device's unit, rounded the way a device would print it.</summary>
    private static double Raw(FieldMapping mapping, double canonical)
    {
        var raw = mapping.FromCanonical(canonical);
        var rounded = Math.Round(raw, 6);
        return mapping.ToCanonical(rounded) >= mapping.Min && mapping.ToCanonical(rounded) <= mapping.Max ? rounded : raw;
    }

    private static ValueMapEntry? MapKey(FieldMapping mapping, double canonical) => mapping.Map.FirstOrDefault(m => m.Value == canonical);

    private static void Set(JsonObject root, JsonPath path, JsonNode value)
    {
        JsonNode current = root;
        var steps = path.Steps;
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            var last = i == steps.Count - 1;
            var nextIsIndex = !last && (steps[i + 1].IsIndex || steps[i + 1].IsFilter);
            if (step.Filter is { } filter)
            {
                // The element the filter accepts: an existing one, or a new one carrying the filter's property.
                var array = (JsonArray)current;
                var element = array.OfType<JsonObject>().FirstOrDefault(e => Matches(e, filter));
                if (element is null)
                {
                    element = new JsonObject();
                    JsonObject at = element;
                    for (var k = 0; k < filter.Names.Count - 1; k++)
                    {
                        at = (JsonObject)(at[filter.Names[k]] = new JsonObject());
                    }

                    at[filter.Names[^1]] = filter.Literal switch { string t => JsonValue.Create(t), double d => JsonValue.Create(d), bool b => JsonValue.Create(b), _ => null };
                    array.Add(element);
                }

                if (last)
                {
                    return; // a value that is itself the filtered element: nothing to simulate
                }

                current = element;
            }
            else if (step.IsIndex)
            {
                var array = (JsonArray)current;
                while (array.Count <= step.Index)
                {
                    array.Add(last ? null : nextIsIndex ? new JsonArray() : new JsonObject());
                }

                if (last)
                {
                    array[step.Index] = value;
                    return;
                }

                current = array[step.Index] ??= nextIsIndex ? new JsonArray() : new JsonObject();
            }
            else
            {
                var obj = (JsonObject)current;
                var name = step.IsWildcard ? "Sensor" : step.Name!;
                if (last)
                {
                    obj[name] = value;
                    return;
                }

                current = obj[name] ??= nextIsIndex ? new JsonArray() : new JsonObject();
            }
        }
    }

    private static bool Matches(JsonObject element, JsonFilter filter)
    {
        JsonNode? node = element;
        foreach (var name in filter.Names)
        {
            node = (node as JsonObject)?[name];
        }

        var equal = filter.Literal switch
        {
            string t => node is JsonValue v && v.TryGetValue<string>(out var s) && s == t,
            double d => node is JsonValue v && v.TryGetValue<double>(out var x) && x == d,
            bool b => node is JsonValue v && v.TryGetValue<bool>(out var y) && y == b,
            _ => node is null,
        };
        return equal != filter.Negate;
    }

    private static JsonObject PathObject(JsonPath path, JsonNode value)
    {
        var root = new JsonObject();
        Set(root, path, value);
        return root;
    }

    private static (JsonPath Path, TimestampFormat Format, TimeSpan Offset)? TimestampOf(DeviceProfile profile) =>
        profile.Decoding.Decoder is JsonPayloadDecoder json && json.TimestampPath is { } p && json.TimestampFormat != TimestampFormat.Received
            ? (p, json.TimestampFormat, json.TimestampUtcOffset)
            : null;

    private static (string Path, BinaryEncoding Encoding, BinaryLayout Layout)? FrameLayout(DeviceProfile profile) =>
        profile.Decoding.Decoder is JsonPayloadDecoder { BinaryLayout: { } layout } json ? (json.BinaryPath, json.BinaryEncoding, layout) : null;

    private static Dictionary<string, string> SegmentValues(DeviceProfile profile, int n)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var model = Regex.Replace(profile.Model.ToLowerInvariant(), "[^a-z0-9]+", "-").Trim('-');
        foreach (var template in profile.Decoding.Topics.Append(profile.Decoding.Availability?.Template).OfType<TopicTemplate>())
        {
            for (var i = 0; i < template.Segments.Count; i++)
            {
                var name = template.Segments[i].Name;
                if (name is null || name == TopicTemplate.FieldSegmentName || values.ContainsKey(name))
                {
                    continue;
                }

                values[name] = i == template.DeviceIdIndex
                    ? $"{model}-{n:D4}"
                    : name switch
                    {
                        "building" => Buildings[(n - 1) % Buildings.Length],
                        "floor" => (((n - 1) / 2 % 5) + 1).ToString(CultureInfo.InvariantCulture),
                        "level" => Levels[(n - 1) % Levels.Length],
                        "site" => Sites[(n - 1) % Sites.Length],
                        "zone" => Zones[(n - 1) % Zones.Length],
                        "gateway" => "ug65-" + Buildings[(n - 1) % Buildings.Length],
                        _ => $"{name}-{(n - 1) % 3 + 1}",
                    };
            }
        }

        return values;
    }

    private static Regex Glob(string pattern) =>
        new("^" + Regex.Escape(pattern).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal) + "$", RegexOptions.CultureInvariant);
}
