namespace SmartCity.IoT.Influx;

/// <summary>Configuration section <c>Spool</c>: the local disk spool used while InfluxDB is away.</summary>
public sealed class SpoolOptions
{
    public const string SectionName = "Spool";

    /// <summary>
    /// False: a batch InfluxDB does not take is retried (with a capped pause) until it does, never spooled, so it stays
    /// unacknowledged at its source meanwhile. The gateway switches the spool off when it reads a NATS JetStream stream,
    /// which holds the readings on replicated storage until they are in InfluxDB.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Directory of segment files (created if missing).</summary>
    public string Path { get; set; } = "data/spool";

    /// <summary>Disk budget of all segments; what happens at the limit is <see cref="FullPolicy"/>.</summary>
    public long MaxBytes { get; set; } = 1L << 30;

    /// <summary>A segment is closed and a new one started past this size; consumed segments are deleted whole.</summary>
    public long SegmentBytes { get; set; } = 16L << 20;

    public SpoolFullPolicy FullPolicy { get; set; } = SpoolFullPolicy.Block;

    /// <summary>fsync each appended batch. Turning it off trades power-loss safety for speed.</summary>
    public bool Fsync { get; set; } = true;
}
