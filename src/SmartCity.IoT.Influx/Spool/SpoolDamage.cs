namespace SmartCity.IoT.Influx.Spool;

/// <summary>What was wrong at one place in a segment file.</summary>
internal enum SpoolDamageKind
{
    /// <summary>The last record runs past the end of the file (power loss or a truncated copy): cut.</summary>
    TornTail,

    /// <summary>A record whose checksum or header is wrong, with valid records after it: skipped.</summary>
    CorruptRecord,

    /// <summary>Unreadable bytes up to the end of the file: cut.</summary>
    CorruptTail,

    /// <summary>The segment file's own header is wrong: the whole file is set aside as <c>*.damaged</c>.</summary>
    BadSegmentHeader,
}

/// <summary>One damaged place found in the spool; <see cref="LinesLost"/> is null when the damaged header cannot say.</summary>
internal sealed record SpoolDamage(string File, long Offset, long Bytes, SpoolDamageKind Kind, int? LinesLost)
{
    public override string ToString() =>
        $"{Path.GetFileName(File)} at byte {Offset}: {Kind} ({Bytes} bytes{(LinesLost is { } n ? $", {n} lines" : ", line count unknown")})";
}
