namespace SmartCity.IoT.Core.Decoding.Sparkplug;

/// <summary>
/// The Sparkplug B state of one profile: per group and edge node the NBIRTH alias table, per device its DBIRTH table,
/// and the seq expected next. Owned by that profile's <see cref="SparkplugPayloadDecoder"/> (the decoder itself holds
/// nothing mutable). Thread-safe (one lock; uncontended on the pipeline thread) and bounded: at most
/// <see cref="MaxTables"/> BIRTH tables, each of at most <see cref="MaxMetrics"/> metrics.
/// </summary>
public sealed class SparkplugSessionStore
{
    public const int DefaultMaxTables = 100_000;
    public const int DefaultMaxMetrics = 10_000;

    private readonly Dictionary<string, Dictionary<string, SparkplugEdgeNode>> _groups = new(StringComparer.Ordinal);
    private long _seqGaps;
    private long _missingBirths;
    private long _unknownMetrics;
    private int _tables;

    public SparkplugSessionStore(int maxTables = DefaultMaxTables, int maxMetrics = DefaultMaxMetrics)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxTables);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMetrics);
        MaxTables = maxTables;
        MaxMetrics = maxMetrics;
    }

    public Lock Gate { get; } = new();

    public int MaxTables { get; }

    public int MaxMetrics { get; }

    /// <summary>BIRTH tables held (edge nodes plus devices).</summary>
    public int Tables => Volatile.Read(ref _tables);

    /// <summary>Gaps in an edge node's seq (each counted once, however many messages it spans).</summary>
    public long SeqGaps => Interlocked.Read(ref _seqGaps);

    /// <summary>DATA that arrived before its BIRTH (dead-lettered as birth_missing).</summary>
    public long MissingBirths => Interlocked.Read(ref _missingBirths);

    /// <summary>DATA naming an alias or metric its BIRTH did not announce (dead-lettered as unknown_metric).</summary>
    public long UnknownMetrics => Interlocked.Read(ref _unknownMetrics);

    /// <summary>The edge node, or null when none was seen. Call under <see cref="Gate"/>.</summary>
    public SparkplugEdgeNode? Find(ReadOnlySpan<char> group, ReadOnlySpan<char> edge) =>
        _groups.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(group, out var nodes)
        && nodes.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(edge, out var node)
            ? node
            : null;

    /// <summary>The edge node, created when new (allocates; BIRTH only). Call under <see cref="Gate"/>.</summary>
    public SparkplugEdgeNode GetOrAdd(ReadOnlySpan<char> group, ReadOnlySpan<char> edge)
    {
        if (Find(group, edge) is { } known)
        {
            return known;
        }

        var g = group.ToString();
        if (!_groups.TryGetValue(g, out var nodes))
        {
            nodes = new Dictionary<string, SparkplugEdgeNode>(StringComparer.Ordinal);
            _groups.Add(g, nodes);
        }

        var node = new SparkplugEdgeNode();
        nodes.Add(edge.ToString(), node);
        return node;
    }

    /// <summary>Whether one more BIRTH table fits (a table replacing an existing one always does).</summary>
    public bool HasRoom(bool replaces) => replaces || _tables < MaxTables;

    /// <summary>Sets the node's table (null forgets it). Call under <see cref="Gate"/>.</summary>
    public void SetNodeTable(SparkplugEdgeNode node, SparkplugMetricTable? table)
    {
        Volatile.Write(ref _tables, _tables + (table is null ? 0 : 1) - (node.Table is null ? 0 : 1));
        node.Table = table;
    }

    /// <summary>Sets a device's table (null forgets it). Call under <see cref="Gate"/>.</summary>
    public void SetDeviceTable(SparkplugEdgeNode node, ReadOnlySpan<char> device, SparkplugMetricTable? table)
    {
        var lookup = node.Devices.GetAlternateLookup<ReadOnlySpan<char>>();
        var had = lookup.ContainsKey(device);
        if (table is null)
        {
            if (had)
            {
                lookup.Remove(device);
                Volatile.Write(ref _tables, _tables - 1);
            }

            return;
        }

        lookup[device] = table;
        if (!had)
        {
            Volatile.Write(ref _tables, _tables + 1);
        }
    }

    /// <summary>Forgets the node's devices' tables (its NDEATH). Call under <see cref="Gate"/>.</summary>
    public void ClearDevices(SparkplugEdgeNode node)
    {
        Volatile.Write(ref _tables, _tables - node.Devices.Count);
        node.Devices.Clear();
    }

    public void CountSeqGap() => Interlocked.Increment(ref _seqGaps);

    public void CountMissingBirth() => Interlocked.Increment(ref _missingBirths);

    public void CountUnknownMetric() => Interlocked.Increment(ref _unknownMetrics);

    /// <summary>Forgets every table and counter.</summary>
    public void Clear()
    {
        lock (Gate)
        {
            _groups.Clear();
            Volatile.Write(ref _tables, 0);
            Interlocked.Exchange(ref _seqGaps, 0);
            Interlocked.Exchange(ref _missingBirths, 0);
            Interlocked.Exchange(ref _unknownMetrics, 0);
        }
    }
}
