namespace SmartCity.IoT.Influx.Spool;

/// <summary>
/// The segment being appended to: creates segment files, writes and flushes records, and never appends after a half-written
/// record. Not thread-safe: the owning <see cref="DiskSpool"/> calls it under its lock.
/// </summary>
internal sealed class SpoolAppender(string directory, SpoolOptions options, TimeProvider time) : IDisposable
{
    private FileStream? _stream;
    private bool _rollBeforeNextAppend;

    /// <summary>The segment appends go to; null before the first append, after a failed roll, or once it was removed.</summary>
    public SpoolSegment? Active { get; private set; }

    /// <summary>Whether a record of <paramref name="recordSize"/> bytes needs a new segment first.</summary>
    public bool NeedsRoll(long recordSize) =>
        Active is null || _rollBeforeNextAppend
        || (Active.Length + recordSize > options.SegmentBytes && Active.Length > SpoolFormat.SegmentHeaderSize);

    /// <summary>Closes the current segment and starts segment <paramref name="index"/>, which it returns.</summary>
    public SpoolSegment Roll(long index)
    {
        Close(); // if creating the next segment fails, the next append tries again
        var path = Path.Combine(directory, SpoolFormat.SegmentFileName(index));
        var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read | FileShare.Delete, 1, FileOptions.None);
        try
        {
            Span<byte> header = stackalloc byte[SpoolFormat.SegmentHeaderSize];
            SpoolFormat.WriteSegmentHeader(header, index, time.GetUtcNow().ToUnixTimeMilliseconds());
            stream.Write(header);
            stream.Flush(flushToDisk: options.Fsync);
        }
        catch
        {
            stream.Dispose();
            File.Delete(path);
            throw;
        }

        _stream = stream;
        _rollBeforeNextAppend = false;
        Active = new SpoolSegment(index, path) { Length = SpoolFormat.SegmentHeaderSize };
        return Active;
    }

    /// <summary>Writes and flushes one record to <see cref="Active"/> (roll first when <see cref="NeedsRoll"/>).</summary>
    public void Append(ReadOnlySpan<byte> lines, int lineCount, long recordSize)
    {
        var segment = Active ?? throw new InvalidOperationException("No active segment: roll first.");
        var stream = _stream!;
        Span<byte> header = stackalloc byte[SpoolFormat.RecordHeaderSize];
        SpoolFormat.WriteRecordHeader(header, lines, lineCount);
        try
        {
            stream.Write(header);
            stream.Write(lines);
            stream.Flush(flushToDisk: options.Fsync);
        }
        catch
        {
            // Cut the half-written record if we can, and start a new segment next time.
            _rollBeforeNextAppend = true;
            try
            {
                stream.SetLength(segment.Length);
            }
            catch (IOException)
            {
                // the torn tail is found and cut at the next open
            }

            throw;
        }

        segment.Length += recordSize;
        segment.Records++;
        segment.Lines += lineCount;
    }

    /// <summary>Stops appending to the current segment (it was removed, or a new one follows).</summary>
    public void Close()
    {
        _stream?.Dispose();
        _stream = null;
        Active = null;
    }

    public void Dispose() => Close();
}
