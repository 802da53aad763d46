namespace SmartCity.IoT.Influx.Spool;

/// <summary>What became of a batch handed to <see cref="DiskSpool.AppendAsync"/>.</summary>
internal enum SpoolAppendResult
{
    /// <summary>Appended and flushed.</summary>
    Appended,

    /// <summary>Appended after older segments were discarded (DropOldest).</summary>
    AppendedAfterDroppingOldest,

    /// <summary>Discarded because the spool is full (DropNewest).</summary>
    DroppedNewest,
}
