namespace SmartCity.IoT.Influx.Spool;

/// <summary>
/// Reads one record for replay. Damage found here (after open, e.g. a disk error since) is reported once and taken out of the
/// segment's pending counts, and the reader says where the next good record starts.
/// </summary>
internal sealed class SpoolRecordReader(SpoolDamageLog damage)
{
    /// <summary>The record at <paramref name="offset"/>, or null with <paramref name="skipTo"/> set past the damage there.</summary>
    public SpoolRecord? ReadAt(SpoolSegment segment, long offset, out long skipTo)
    {
        using var handle = File.OpenHandle(segment.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var read = SpoolFormat.Read(handle, offset, segment.Length, withPayload: true);
        if (read.State == RecordState.Ok)
        {
            skipTo = read.Next;
            return new SpoolRecord(segment.Index, offset, read.Next, read.LineCount, read.Payload!);
        }

        var next = SpoolFormat.Resync(handle, offset + 1, segment.Length);
        skipTo = next < 0 ? segment.Length : next;
        var exact = read.State == RecordState.Corrupt && read.Next == skipTo;
        var isNew = damage.Report(new SpoolDamage(segment.Path, offset, skipTo - offset,
            next < 0 ? (read.State == RecordState.Torn ? SpoolDamageKind.TornTail : SpoolDamageKind.CorruptTail) : SpoolDamageKind.CorruptRecord,
            exact ? read.LineCount : null));
        if (isNew)
        {
            // Damaged after it was counted (found at open, damage is never counted): take it out of the pending totals.
            segment.Records = Math.Max(0, segment.Records - 1);
            segment.Lines = Math.Max(0, segment.Lines - (exact ? read.LineCount : 0));
        }

        return null;
    }
}
