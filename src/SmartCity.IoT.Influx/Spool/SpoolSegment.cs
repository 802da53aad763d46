namespace SmartCity.IoT.Influx.Spool;

/// <summary>One segment file and what of it is still to replay. Guarded by the owning <see cref="DiskSpool"/>'s lock.</summary>
internal sealed class SpoolSegment(long index, string path)
{
    public long Index { get; } = index;

    public string Path { get; } = path;

    /// <summary>Bytes written and flushed; readers never look past it.</summary>
    public long Length { get; set; }

    /// <summary>Records after the cursor (all of them for later segments).</summary>
    public long Records { get; set; }

    public long Lines { get; set; }
}
