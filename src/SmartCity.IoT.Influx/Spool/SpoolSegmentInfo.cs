namespace SmartCity.IoT.Influx.Spool;

/// <summary>One segment file as <c>spool status</c> shows it.</summary>
internal sealed record SpoolSegmentInfo(long Index, string File, long Bytes, long PendingRecords, long PendingLines);
