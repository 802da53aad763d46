namespace SmartCity.IoT.Influx;

/// <summary>
/// Thread-safe state of the InfluxDB sink and the spool, for the status page, /readyz and metrics.
/// Every property reads one value atomically; read <see cref="Snapshot"/> for a consistent-enough view in one go.
/// </summary>
public sealed class StoreStatus
{
    private static readonly List<WeakReference<StoreStatus>> Instances = [];

    private readonly object _gate = new();
    private long _written;
    private long _spooled;
    private long _replayed;
    private long _rejected;
    private long _dropped;
    private long _spoolBytes;
    private long _spoolLines;
    private long _corruptRecords;
    private int _spoolFull;
    private int _lastWriteOk;
    private int _influxDown;
    private string? _lastError;
    private string? _holding;
    private string? _spoolError;
    private DateTimeOffset? _lastWriteAt;

    public StoreStatus(bool influxConfigured, long spoolMaxBytes, SpoolFullPolicy fullPolicy = SpoolFullPolicy.Block)
    {
        InfluxConfigured = influxConfigured;
        SpoolMaxBytes = spoolMaxBytes;
        FullPolicy = fullPolicy;
        lock (Instances)
        {
            Instances.RemoveAll(w => !w.TryGetTarget(out _));
            Instances.Add(new WeakReference<StoreStatus>(this));
        }
    }

    /// <summary>False in spool-only mode (empty Influx:Url).</summary>
    public bool InfluxConfigured { get; }

    public long SpoolMaxBytes { get; }

    public SpoolFullPolicy FullPolicy { get; }

    /// <summary>The last write attempt to InfluxDB (live or replay) succeeded.</summary>
    public bool LastWriteOk => Volatile.Read(ref _lastWriteOk) == 1;

    public DateTimeOffset? LastWriteAt { get { lock (_gate) { return _lastWriteAt; } } }

    /// <summary>The current error talking to InfluxDB; null once a write succeeds again (and before any error).</summary>
    public string? LastError => Volatile.Read(ref _lastError);

    /// <summary>Alarm text while writes are held because of 401, 403 or 404 (credentials, permission, bucket/database/endpoint); null otherwise.</summary>
    public string? Holding => Volatile.Read(ref _holding);

    /// <summary>The spool cannot be written (disk full, permissions): batches wait (not acknowledged) until it can. Null when fine.</summary>
    public string? SpoolError => Volatile.Read(ref _spoolError);

    /// <summary>InfluxDB is considered away: live batches go straight to the spool until a replay write succeeds.</summary>
    public bool InfluxDown => Volatile.Read(ref _influxDown) == 1;

    /// <summary>Lines written to InfluxDB by live batches (replayed lines are counted in <see cref="Replayed"/>).</summary>
    public long Written => Interlocked.Read(ref _written);

    public long Spooled => Interlocked.Read(ref _spooled);

    public long Replayed => Interlocked.Read(ref _replayed);

    /// <summary>Lines InfluxDB refused as malformed or conflicting (in the dead-letter store when they could be identified).</summary>
    public long RejectedLines => Interlocked.Read(ref _rejected);

    /// <summary>Lines discarded by a DropOldest/DropNewest spool policy (always 0 under Block).</summary>
    public long DroppedByPolicy => Interlocked.Read(ref _dropped);

    /// <summary>Bytes of spool segments on disk.</summary>
    public long SpoolBytes => Interlocked.Read(ref _spoolBytes);

    /// <summary>Lines in the spool not yet replayed.</summary>
    public long SpoolLines => Interlocked.Read(ref _spoolLines);

    /// <summary>Damaged spool records found (torn tails and checksum failures) since start.</summary>
    public long CorruptRecords => Interlocked.Read(ref _corruptRecords);

    /// <summary>The spool has reached its bound: under Block the gateway has stopped acknowledging.</summary>
    public bool SpoolFull => Volatile.Read(ref _spoolFull) == 1;

    /// <summary>For /readyz: InfluxDB takes writes, or the spool still has room (or a drop policy keeps it moving).</summary>
    public bool IsReady => (InfluxConfigured && LastWriteOk && Holding is null)
        || (SpoolError is null && (!SpoolFull || FullPolicy != SpoolFullPolicy.Block));

    internal StoreStatusSnapshot Snapshot() => new(
        InfluxConfigured, LastWriteOk, LastWriteAt, LastError, Holding, SpoolError, InfluxDown, Written, Spooled, Replayed, RejectedLines,
        DroppedByPolicy, SpoolBytes, SpoolMaxBytes, SpoolLines, SpoolFull, CorruptRecords, IsReady);

    internal static long TotalSpoolBytes() => Sum(s => s.SpoolBytes);

    internal static long AnyHolding() => Sum(s => s.Holding is null ? 0 : 1);

    internal static long AnySpoolFull() => Sum(s => s.SpoolFull ? 1 : 0);

    internal void AddWritten(long lines) => Interlocked.Add(ref _written, lines);

    internal void AddSpooled(long lines) => Interlocked.Add(ref _spooled, lines);

    internal void AddReplayed(long lines) => Interlocked.Add(ref _replayed, lines);

    internal void AddRejected(long lines) => Interlocked.Add(ref _rejected, lines);

    internal void AddDropped(long lines) => Interlocked.Add(ref _dropped, lines);

    internal void AddCorrupt(long records) => Interlocked.Add(ref _corruptRecords, records);

    internal void SetSpool(long bytes, long lines)
    {
        Interlocked.Exchange(ref _spoolBytes, bytes);
        Interlocked.Exchange(ref _spoolLines, lines);
    }

    internal void SetSpoolError(string? error) => Volatile.Write(ref _spoolError, error);

    internal void SetSpoolFull(bool full) => Volatile.Write(ref _spoolFull, full ? 1 : 0);

    internal void RecordSuccess(DateTimeOffset at)
    {
        lock (_gate)
        {
            _lastWriteAt = at;
        }

        Volatile.Write(ref _lastWriteOk, 1);
        Volatile.Write(ref _influxDown, 0);
        Volatile.Write(ref _holding, null);
        Volatile.Write(ref _lastError, null);
    }

    internal void RecordFailure(string error, string? holding)
    {
        Volatile.Write(ref _lastError, error);
        Volatile.Write(ref _lastWriteOk, 0);
        Volatile.Write(ref _influxDown, 1);
        if (holding is not null)
        {
            Volatile.Write(ref _holding, holding);
        }
    }

    private static long Sum(Func<StoreStatus, long> value)
    {
        long total = 0;
        lock (Instances)
        {
            foreach (var w in Instances)
            {
                if (w.TryGetTarget(out var s))
                {
                    total += value(s);
                }
            }
        }

        return total;
    }
}
