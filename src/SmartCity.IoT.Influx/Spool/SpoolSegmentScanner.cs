namespace SmartCity.IoT.Influx.Spool;

/// <summary>
/// Checks segment files when the spool opens: counts the records still to replay, reports damage, cuts a damaged tail
/// (so appends and replay start clean) and sets aside a file whose header is wrong. Inspecting changes nothing on disk.
/// </summary>
internal sealed class SpoolSegmentScanner(SpoolDamageLog damage, bool readOnly)
{
    /// <summary>The segment files in <paramref name="directory"/> by index.</summary>
    public static SortedList<long, string> List(string directory)
    {
        var files = new SortedList<long, string>();
        foreach (var path in Directory.EnumerateFiles(directory, SpoolFormat.SegmentPrefix + "*" + SpoolFormat.SegmentExtension))
        {
            if (SpoolFormat.TryParseSegmentIndex(Path.GetFileName(path), out var index))
            {
                files[index] = path;
            }
        }

        return files;
    }

    /// <summary>Scans from <paramref name="start"/>; null when the file was set aside.</summary>
    public SpoolSegment? Scan(long index, string path, long start)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, readOnly ? FileAccess.Read : FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        var length = RandomAccess.GetLength(handle);
        Span<byte> header = stackalloc byte[SpoolFormat.SegmentHeaderSize];
        if (length < SpoolFormat.SegmentHeaderSize || RandomAccess.Read(handle, header, 0) != SpoolFormat.SegmentHeaderSize
            || !SpoolFormat.IsValidSegmentHeader(header, index))
        {
            damage.Report(new SpoolDamage(path, 0, length, SpoolDamageKind.BadSegmentHeader, null));
            handle.Dispose();
            if (!readOnly)
            {
                File.Move(path, path + ".damaged", overwrite: true);
            }

            return null;
        }

        var segment = new SpoolSegment(index, path);
        var offset = start;
        while (offset < length)
        {
            var read = SpoolFormat.Read(handle, offset, length, withPayload: false);
            if (read.State == RecordState.Ok)
            {
                segment.Records++;
                segment.Lines += read.LineCount;
                offset = read.Next;
                continue;
            }

            var next = SpoolFormat.Resync(handle, offset + 1, length);
            if (next < 0)
            {
                damage.Report(new SpoolDamage(path, offset, length - offset,
                    read.State == RecordState.Torn ? SpoolDamageKind.TornTail : SpoolDamageKind.CorruptTail,
                    read.State == RecordState.Torn && read.LineCount > 0 ? read.LineCount : null));
                break;
            }

            var exact = read.State == RecordState.Corrupt && read.Next == next;
            damage.Report(new SpoolDamage(path, offset, next - offset, SpoolDamageKind.CorruptRecord, exact ? read.LineCount : null));
            offset = next; // skipped again (silently) by replay
        }

        if (offset < length && !readOnly)
        {
            RandomAccess.SetLength(handle, offset);
            length = offset;
        }

        segment.Length = length;
        return segment;
    }
}
