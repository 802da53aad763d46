namespace SmartCity.IoT.Influx;

/// <summary>A point-in-time copy of <see cref="StoreStatus"/> (for the status page JSON).</summary>
internal sealed record StoreStatusSnapshot(
    bool InfluxConfigured,
    bool LastWriteOk,
    DateTimeOffset? LastWriteAt,
    string? LastError,
    string? Holding,
    string? SpoolError,
    bool InfluxDown,
    long Written,
    long Spooled,
    long Replayed,
    long RejectedLines,
    long DroppedByPolicy,
    long SpoolBytes,
    long SpoolMaxBytes,
    long SpoolLines,
    bool SpoolFull,
    long CorruptRecords,
    bool Ready);
