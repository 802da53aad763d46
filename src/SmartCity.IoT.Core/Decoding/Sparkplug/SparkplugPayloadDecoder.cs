using System.Text;
using Google.Protobuf;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Core.Model;

namespace SmartCity.IoT.Core.Decoding.Sparkplug;

/// <summary>
/// Sparkplug B 3.0 (<c>spBv1.0/&lt;group&gt;/&lt;type&gt;/&lt;edge&gt;[/&lt;device&gt;]</c>, protobuf payloads). BIRTH
/// messages announce each metric's name, alias and datatype and carry values; DATA resolves its metrics by alias or name
/// through the BIRTH table kept in <see cref="Store"/>; DEATH marks the device (or the edge node and all its devices)
/// offline. DATA without a BIRTH, or naming an alias its BIRTH did not announce, is rejected (birth_missing,
/// unknown_metric): without the BIRTH the datatype of a value, and so its sign, is unknown. A gap in an edge node's
/// seq is counted and reported once as a warning. A metric whose own timestamp differs from the payload's (a historical
/// one, say) is a reading of its own at that time. A device's id is <c>&lt;edge&gt;/&lt;device&gt;</c> (device ids
/// are unique per edge node only). Allocation-free for DATA by alias; metric names and string values are strings.
/// </summary>
public sealed class SparkplugPayloadDecoder : PayloadDecoder, IStatefulDecoder
{
    public const string BirthSequenceMetric = "bdSeq";

    private readonly SparkplugField[] _fields;
    private readonly FieldMapping[] _mappings;
    private readonly Dictionary<string, int> _byMetric;
    private readonly string _typeTag;

    /// <param name="typeTag">The name of the topic level holding the message type (a level, not a series tag: removed).</param>
    public SparkplugPayloadDecoder(IEnumerable<SparkplugField> fields, string typeTag, SparkplugSessionStore store)
    {
        _fields = fields.ToArray();
        _mappings = _fields.Select(f => f.Mapping).ToArray();
        _byMetric = _fields.Select((f, i) => (f.Metric, i)).ToDictionary(p => p.Metric, p => p.i, StringComparer.Ordinal);
        _typeTag = typeTag;
        Store = store;
    }

    public override IReadOnlyList<FieldMapping> Fields => _mappings;

    public IReadOnlyList<SparkplugField> Metrics => _fields;

    /// <summary>The BIRTH tables and seq state of this profile's edge nodes.</summary>
    public SparkplugSessionStore Store { get; }

    public object StateLock => Store;

    public void ResetState() => Store.Clear();

    public override void Decode(ReadOnlySpan<byte> payload, ReadOnlySpan<char> fieldKey, Reading reading, ref DecodeContext ctx)
    {
        var topic = reading.Topic;
        if (!TryParseTopic(topic, out var group, out var typeRange, out var edge, out var device))
        {
            ctx.Fail(DecodeError.NoMatchingProfile, $"topic '{topic}' is not spBv1.0/<group>/<type>/<edge node>[/<device>]");
            return;
        }

        var type = SparkplugMessageTypes.Parse(topic.AsSpan(typeRange));
        if (type is SparkplugMessageType.None or SparkplugMessageType.NCmd or SparkplugMessageType.DCmd)
        {
            ctx.Fail(DecodeError.NoMatchingProfile, type == SparkplugMessageType.None
                ? $"'{topic[typeRange]}' is not a Sparkplug B message type (NBIRTH, NDATA, NDEATH, DBIRTH, DDATA, DDEATH)"
                : $"{topic[typeRange]} is a host application's command, not telemetry");
            return;
        }

        if (type.IsDevice() != (device.Start.Value != device.End.Value))
        {
            ctx.Fail(DecodeError.NoMatchingProfile, type.IsDevice()
                ? $"{topic[typeRange]} needs a device level: spBv1.0/<group>/{topic[typeRange]}/<edge node>/<device>"
                : $"{topic[typeRange]} is an edge node's message and has no device level");
            return;
        }

        reading.RemoveTag(_typeTag);
        if (type.IsDevice())
        {
            var id = topic.AsMemory(edge.Start.Value, device.End.Value - edge.Start.Value);
            reading.DeviceId = id;
            reading.AddTag(MessageDecoder.DeviceTag, id);
        }

        SparkplugPayloadReader r;
        try
        {
            r = SparkplugPayloadReader.Parse(payload);
        }
        catch (InvalidProtocolBufferException e)
        {
            ctx.Fail(DecodeError.MalformedPayload, $"not a Sparkplug B payload ({e.Message})");
            return;
        }

        if (r.HasTimestamp)
        {
            if (r.TimestampMs > long.MaxValue / 1_000_000)
            {
                ctx.Fail(DecodeError.BadTimestamp, $"timestamp {r.TimestampMs} is not a time in milliseconds");
                return;
            }

            ctx.HasTimestamp = true;
            ctx.TimestampNs = (long)r.TimestampMs * 1_000_000;
        }

        var groupSpan = topic.AsSpan(group);
        var edgeSpan = topic.AsSpan(edge);
        var deviceSpan = topic.AsSpan(device);
        var store = Store;
        lock (store.Gate)
        {
            var node = store.Find(groupSpan, edgeSpan);
            switch (type)
            {
                case SparkplugMessageType.NBirth:
                    if (Build(r, type, node?.Table is not null, ref ctx) is not { } nodeTable)
                    {
                        return;
                    }

                    node ??= store.GetOrAdd(groupSpan, edgeSpan);
                    store.ClearDevices(node); // a new session: the devices re-birth
                    store.SetNodeTable(node, nodeTable);
                    node.BirthSequence = BirthSequence(r);
                    node.NextSeq = r.HasSeq ? (int)((r.Seq + 1) & 0xFF) : -1;
                    Apply(nodeTable, r, type, reading, ref ctx);
                    ctx.SetAvailability(DeviceAvailability.Online);
                    return;
                case SparkplugMessageType.NData or SparkplugMessageType.DData:
                    var table = type == SparkplugMessageType.NData
                        ? node?.Table
                        : node is not null && node.Devices.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(deviceSpan, out var known) ? known : null;
                    if (table is null)
                    {
                        MissingBirth(type, topic, group, edge, device, ref ctx);
                        return;
                    }

                    CheckSeq(node!, r, topic, group, edge, ref ctx);
                    Apply(table, r, type, reading, ref ctx);
                    return;
                case SparkplugMessageType.NDeath:
                    if (node is not null && node.BirthSequence >= 0 && BirthSequence(r) is var bd && bd >= 0 && bd != node.BirthSequence)
                    {
                        ctx.Fail(DecodeError.UnknownAvailability, $"NDEATH of edge node {topic[group]}/{topic[edge]} has bdSeq {bd}, its current NBIRTH {node.BirthSequence}: the will of an earlier connection, ignored");
                        return;
                    }

                    if (node is not null)
                    {
                        store.SetNodeTable(node, null);
                        store.ClearDevices(node);
                        node.NextSeq = -1;
                    }

                    ctx.SetAvailability(DeviceAvailability.Offline, includesChildren: true);
                    return;
                case SparkplugMessageType.DBirth:
                    var replaces = node is not null && node.Devices.GetAlternateLookup<ReadOnlySpan<char>>().ContainsKey(deviceSpan);
                    if (Build(r, type, replaces, ref ctx) is not { } deviceTable)
                    {
                        return;
                    }

                    node ??= store.GetOrAdd(groupSpan, edgeSpan);
                    CheckSeq(node, r, topic, group, edge, ref ctx);
                    store.SetDeviceTable(node, deviceSpan, deviceTable);
                    Apply(deviceTable, r, type, reading, ref ctx);
                    ctx.SetAvailability(DeviceAvailability.Online);
                    return;
                case SparkplugMessageType.DDeath:
                    if (node is not null)
                    {
                        CheckSeq(node, r, topic, group, edge, ref ctx);
                        store.SetDeviceTable(node, deviceSpan, null);
                    }

                    ctx.SetAvailability(DeviceAvailability.Offline);
                    return;
            }
        }
    }

    /// <summary>Splits <c>spBv1.0/g/T/e[/d]</c>; <paramref name="device"/> is empty for node messages.</summary>
    private static bool TryParseTopic(string topic, out Range group, out Range type, out Range edge, out Range device)
    {
        group = type = edge = device = default;
        var s1 = topic.IndexOf('/');
        var s2 = s1 < 0 ? -1 : topic.IndexOf('/', s1 + 1);
        var s3 = s2 < 0 ? -1 : topic.IndexOf('/', s2 + 1);
        if (s3 < 0)
        {
            return false;
        }

        var s4 = topic.IndexOf('/', s3 + 1);
        if (s4 >= 0 && topic.IndexOf('/', s4 + 1) >= 0)
        {
            return false;
        }

        group = (s1 + 1)..s2;
        type = (s2 + 1)..s3;
        edge = s4 < 0 ? (s3 + 1)..topic.Length : (s3 + 1)..s4;
        device = s4 < 0 ? topic.Length..topic.Length : (s4 + 1)..topic.Length;
        return true;
    }

    /// <summary>The table a BIRTH announces, or null after failing the message (BIRTH only: allocates).</summary>
    private SparkplugMetricTable? Build(SparkplugPayloadReader r, SparkplugMessageType type, bool replaces, ref DecodeContext ctx)
    {
        var metrics = r.Metrics;
        if (metrics.Length > Store.MaxMetrics)
        {
            ctx.Fail(DecodeError.MalformedPayload, $"{Name(type)} announces {metrics.Length} metrics, more than the {Store.MaxMetrics} kept per BIRTH");
            return null;
        }

        if (!Store.HasRoom(replaces))
        {
            ctx.Fail(DecodeError.DeviceLimitReached, $"{Name(type)} of a new edge node or device, and {Store.MaxTables} BIRTH tables are already kept");
            return null;
        }

        var byAlias = new Dictionary<ulong, SparkplugBinding>();
        var byName = new Dictionary<string, SparkplugBinding>(metrics.Length, StringComparer.Ordinal);
        var names = new Dictionary<ulong, string>();
        for (var i = 0; i < metrics.Length; i++)
        {
            ref readonly var m = ref metrics[i];
            if (m.Name is not { } name)
            {
                ctx.Fail(DecodeError.MalformedPayload, $"{Name(type)} metric #{i + 1}{(m.HasAlias ? $" (alias {m.Alias})" : "")} has no name; a BIRTH names every metric");
                return null;
            }

            var binding = new SparkplugBinding(_byMetric.GetValueOrDefault(name, -1), m.HasDataType ? m.DataType : SparkplugDataType.Unknown);
            byName[name] = binding;
            if (m.HasAlias)
            {
                if (!names.TryAdd(m.Alias, name) && names[m.Alias] != name)
                {
                    ctx.Fail(DecodeError.MalformedPayload, $"{Name(type)} gives alias {m.Alias} to both '{names[m.Alias]}' and '{name}'");
                    return null;
                }

                byAlias[m.Alias] = binding;
            }
        }

        return new SparkplugMetricTable(byAlias, byName);
    }

    private void Apply(SparkplugMetricTable table, SparkplugPayloadReader r, SparkplugMessageType type, Reading reading, ref DecodeContext ctx)
    {
        var mapped = false;
        var metrics = r.Metrics;
        for (var i = 0; i < metrics.Length; i++)
        {
            ref readonly var m = ref metrics[i];
            if (!table.TryResolve(m, out var binding))
            {
                Store.CountUnknownMetric();
                ctx.Fail(DecodeError.UnknownMetric, m.Name is { } n
                    ? $"{Name(type)} metric '{n}' was not announced by the BIRTH (the node's metrics changed; it should re-birth)"
                    : m.HasAlias
                        ? $"{Name(type)} metric alias {m.Alias} was not announced by the BIRTH (the node's aliases changed; it should re-birth)"
                        : $"{Name(type)} metric #{i + 1} has neither a name nor an alias");
                return;
            }

            if (binding.FieldIndex < 0)
            {
                continue;
            }

            mapped = true;
            var mapping = _mappings[binding.FieldIndex];
            if (m.IsNull)
            {
                continue;
            }

            var target = reading;
            if (m.HasTimestamp && (!r.HasTimestamp || m.TimestampMs != r.TimestampMs) && m.TimestampMs <= long.MaxValue / 1_000_000 && ctx.Readings is { } set)
            {
                // A metric sampled at its own time (or a historical, back-filled one) is a reading at that time.
                var ns = (long)m.TimestampMs * 1_000_000;
                target = set.For(ns);
                target.SetTimestamp(ns);
            }
            else if (m.IsHistorical)
            {
                ctx.Warn($"historical value of metric '{_fields[binding.FieldIndex].Metric}' has no timestamp of its own; skipped");
                continue;
            }

            ApplyValue(mapping, m, m.HasDataType ? m.DataType : binding.DataType, target, ref ctx);
        }

        if (!mapped && type is SparkplugMessageType.NData or SparkplugMessageType.DData)
        {
            // DATA with none of the profile's metrics is a sign of life, not a rejection.
            ctx.SetAvailability(DeviceAvailability.Online);
        }
    }

    private static void ApplyValue(FieldMapping mapping, in SparkplugMetric m, SparkplugDataType type, Reading reading, ref DecodeContext ctx)
    {
        switch (m.Kind)
        {
            case SparkplugValueKind.Boolean:
                mapping.ApplyBoolean(m.Boolean, reading, ref ctx);
                return;
            case SparkplugValueKind.String:
                var text = m.Text ?? "";
                if (text.Length <= 128)
                {
                    Span<byte> utf8 = stackalloc byte[text.Length * 3];
                    mapping.ApplyText(utf8[..Encoding.UTF8.GetBytes(text, utf8)], reading, ref ctx);
                }
                else
                {
                    mapping.ApplyText(Encoding.UTF8.GetBytes(text), reading, ref ctx);
                }

                return;
            case SparkplugValueKind.None:
                ctx.Reject(DecodeError.MissingField, $"{mapping.Field.Name} ({mapping.Source}): the metric carries no value");
                return;
            case SparkplugValueKind.Other:
                ctx.Reject(DecodeError.WrongType, $"{mapping.Field.Name} ({mapping.Source}): a bytes, data set or template value cannot be a field");
                return;
            default:
                mapping.ApplyNumber(m.Number(type), reading, ref ctx);
                return;
        }
    }

    private void CheckSeq(SparkplugEdgeNode node, SparkplugPayloadReader r, string topic, Range group, Range edge, ref DecodeContext ctx)
    {
        if (!r.HasSeq || node.NextSeq < 0)
        {
            return;
        }

        var seq = (int)(r.Seq & 0xFF);
        if (seq != node.NextSeq)
        {
            Store.CountSeqGap();
            ctx.Warn($"Sparkplug seq gap on edge node {topic[group]}/{topic[edge]}: expected {node.NextSeq}, got {seq} ({(seq - node.NextSeq + 256) % 256} message(s) missing or out of order)");
        }

        node.NextSeq = (seq + 1) & 0xFF;
    }

    private void MissingBirth(SparkplugMessageType type, string topic, Range group, Range edge, Range device, ref DecodeContext ctx)
    {
        Store.CountMissingBirth();
        var who = type == SparkplugMessageType.NData ? $"edge node {topic[group]}/{topic[edge]}" : $"device {topic[group]}/{topic[edge]}/{topic[device]}";
        var birth = type == SparkplugMessageType.NData ? "NBIRTH" : "DBIRTH";
        ctx.Fail(DecodeError.BirthMissing, $"{Name(type)} from {who} before its {birth}: its metrics' aliases and datatypes are unknown until it births again (after a gateway restart or a missed BIRTH, the edge node must re-birth)");
    }

    private static long BirthSequence(SparkplugPayloadReader r)
    {
        foreach (ref readonly var m in r.Metrics)
        {
            if (m.Name == BirthSequenceMetric && m.Kind is SparkplugValueKind.Int or SparkplugValueKind.Long)
            {
                return (long)(m.Bits & 0xFF);
            }
        }

        return -1;
    }

    private static string Name(SparkplugMessageType type) => type switch
    {
        SparkplugMessageType.NBirth => "NBIRTH",
        SparkplugMessageType.NData => "NDATA",
        SparkplugMessageType.NDeath => "NDEATH",
        SparkplugMessageType.DBirth => "DBIRTH",
        SparkplugMessageType.DData => "DDATA",
        SparkplugMessageType.DDeath => "DDEATH",
        _ => type.ToString(),
    };
}
