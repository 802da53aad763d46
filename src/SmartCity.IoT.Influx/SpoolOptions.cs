namespace SmartCity.IoT.Influx;

/// <summary>Configuration section <c>Spool</c>: the local disk spool used while InfluxDB is away.</summary>
public sealed class SpoolOptions
{
    public const string SectionName = "Spool";

    /// <summary>Directory of segment files (created if missing).</summary>
    public string Path { get; set; } = "data/spool";

    /// <summary>Disk budget of all segments; what happens at the limit is <see cref="FullPolicy"/>.</summary>
    public long MaxBytes { get; set; } = 1L << 30;

    /// <summary>A segment is closed and a new one started past this size; consumed segments are deleted whole.</summary>
    public long SegmentBytes { get; set; } = 16L << 20;

    public SpoolFullPolicy FullPolicy { get; set; } = SpoolFullPolicy.Block;

    /// <summary>Where rejected lines (and the gateway's undecodable messages) go; empty = <c>&lt;Path&gt;/deadletter</c>.</summary>
    public string DeadLetterPath { get; set; } = "";

    /// <summary>fsync each appended batch. Turning it off trades power-loss safety for speed.</summary>
    public bool Fsync { get; set; } = true;

    /// <summary>Byte budget of the dead-letter folder; the oldest day files are deleted beyond it.</summary>
    public long DeadLetterMaxBytes { get; set; } = 256L << 20;

    /// <summary>Longest payload kept per dead-letter record; longer ones are cut and marked truncated.</summary>
    public int DeadLetterMaxPayloadBytes { get; set; } = 64 * 1024;

    public string ResolvedDeadLetterPath => string.IsNullOrWhiteSpace(DeadLetterPath) ? System.IO.Path.Combine(Path, "deadletter") : DeadLetterPath;
}
