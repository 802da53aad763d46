using System.Buffers.Binary;
using System.IO.Hashing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Win32.SafeHandles;

namespace SmartCity.IoT.Influx.Spool;

/// <summary>
/// An append-only disk spool of line-protocol batches: segment files of checksummed records (see <see cref="SpoolFormat"/>),
/// each batch flushed (fsync) as it is appended, and one durable cursor (<c>cursor</c>) naming the next record to replay.
/// Replay reads in order from the cursor while new batches are appended; consumed segments are deleted whole.
/// On open every pending record is checked: a torn or corrupt tail is cut, a corrupt record in the middle is skipped on
/// replay, and both are reported (<see cref="Damage"/>), never thrown. One process owns a spool at a time (<c>spool.lock</c>).
/// </summary>
internal sealed class DiskSpool : IDisposable
{
    private const string CursorFile = "cursor";
    private const string LockFile = "spool.lock";
    private const int CursorSize = 20;

    private readonly object _gate = new();
    private readonly SpoolOptions _options;
    private readonly StoreStatus? _status;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly bool _readOnly;
    private readonly List<Segment> _segments = [];
    private readonly List<SpoolDamage> _damage = [];
    private readonly HashSet<(long Segment, long Offset)> _reportedDamage = [];
    private FileStream? _lock;
    private Segment? _active;
    private FileStream? _activeStream;
    private bool _rollBeforeNextAppend;
    private bool _fullReported;
    private long _nextIndex = 1;
    private long _cursorSegment;
    private long _cursorOffset;
    private long _droppedLines;
    private TaskCompletionSource _spaceFreed = NewSignal();
    private TaskCompletionSource _appended = NewSignal();
    private bool _disposed;

    private DiskSpool(SpoolOptions options, StoreStatus? status, ILogger? logger, TimeProvider? time, bool readOnly)
    {
        _options = options;
        _status = status;
        _logger = logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        _readOnly = readOnly;
        DirectoryPath = Path.GetFullPath(options.Path);
    }

    public string DirectoryPath { get; }

    public long MaxBytes => _options.MaxBytes;

    /// <summary>Damage found when the spool was opened (already cut or to be skipped).</summary>
    public IReadOnlyList<SpoolDamage> Damage { get { lock (_gate) { return [.. _damage]; } } }

    /// <summary>Bytes of all segment files.</summary>
    public long Bytes { get { lock (_gate) { return BytesLocked(); } } }

    /// <summary>Lines not yet replayed (corrupt records excluded once found).</summary>
    public long PendingLines { get { lock (_gate) { return _segments.Sum(s => s.Lines); } } }

    public long PendingRecords { get { lock (_gate) { return _segments.Sum(s => s.Records); } } }

    public bool IsEmpty { get { lock (_gate) { return _segments.All(s => s.Records == 0); } } }

    /// <summary>Lines discarded by the DropOldest/DropNewest policies since open.</summary>
    public long DroppedLines => Interlocked.Read(ref _droppedLines);

    public (long Segment, long Offset) Cursor { get { lock (_gate) { return (_cursorSegment, _cursorOffset); } } }

    public IReadOnlyList<SpoolSegmentInfo> Segments
    {
        get { lock (_gate) { return [.. _segments.Select(s => new SpoolSegmentInfo(s.Index, s.Path, s.Length, s.Records, s.Lines))]; } }
    }

    /// <summary>Opens (creating if needed) and checks the spool in <see cref="SpoolOptions.Path"/>; repairs damaged tails.</summary>
    /// <exception cref="IOException">Another process holds the spool.</exception>
    public static DiskSpool Open(SpoolOptions options, StoreStatus? status = null, ILogger? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var spool = new DiskSpool(options, status, logger, time, readOnly: false);
        try
        {
            spool.Load();
        }
        catch
        {
            spool.Dispose();
            throw;
        }

        return spool;
    }

    /// <summary>Reads the spool for inspection without changing, locking or repairing anything.</summary>
    public static DiskSpool Inspect(string path)
    {
        var spool = new DiskSpool(new SpoolOptions { Path = path }, null, null, null, readOnly: true);
        spool.Load();
        return spool;
    }

    /// <summary>
    /// Appends one batch and flushes it to disk. When the spool is full: Block waits until replay frees room
    /// (cancellable), DropOldest discards the oldest segments, DropNewest discards this batch.
    /// </summary>
    public async ValueTask<SpoolAppendResult> AppendAsync(ReadOnlyMemory<byte> lines, int lineCount, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_readOnly)
        {
            throw new InvalidOperationException("The spool was opened for inspection only.");
        }

        var recordSize = SpoolFormat.RecordHeaderSize + (long)lines.Length;
        var droppedOldest = false;
        while (true)
        {
            Task wait;
            lock (_gate)
            {
                var needed = recordSize + (NeedsRoll(recordSize) ? SpoolFormat.SegmentHeaderSize : 0);
                if (_segments.Count == 0 || BytesLocked() + needed <= _options.MaxBytes)
                {
                    AppendLocked(lines.Span, lineCount, recordSize);
                    _status?.SetSpoolFull(false);
                    _fullReported = false;
                    return droppedOldest ? SpoolAppendResult.AppendedAfterDroppingOldest : SpoolAppendResult.Appended;
                }

                _status?.SetSpoolFull(true);
                var report = !_fullReported; // once per full episode, not once per batch
                _fullReported = true;
                switch (_options.FullPolicy)
                {
                    case SpoolFullPolicy.DropNewest:
                        AddDropped(lineCount);
                        if (report)
                        {
                            Log.SpoolDroppedNewest(_logger, lineCount, _options.MaxBytes);
                        }

                        return SpoolAppendResult.DroppedNewest;
                    case SpoolFullPolicy.DropOldest:
                        DropOldestSegmentLocked();
                        droppedOldest = true;
                        continue;
                    default:
                        wait = _spaceFreed.Task;
                        if (report)
                        {
                            Log.SpoolFullBlocking(_logger, _options.MaxBytes);
                        }

                        break;
                }
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Reads the record at the cursor, skipping (and reporting) damaged ones; false when nothing is pending.</summary>
    public bool TryReadNext(out SpoolRecord? record)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        lock (_gate)
        {
            while (true)
            {
                record = null;
                var segment = _segments.Find(s => s.Index >= _cursorSegment);
                if (segment is null)
                {
                    return false;
                }

                if (segment.Index != _cursorSegment)
                {
                    SetCursorLocked(segment.Index, SpoolFormat.SegmentHeaderSize);
                }

                if (_cursorOffset >= segment.Length)
                {
                    if (segment == _active || segment == _segments[^1])
                    {
                        return false;
                    }

                    RemoveSegmentLocked(segment);
                    continue;
                }

                using var handle = File.OpenHandle(segment.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                var read = SpoolFormat.Read(handle, _cursorOffset, segment.Length, withPayload: true);
                if (read.State == RecordState.Ok)
                {
                    record = new SpoolRecord(segment.Index, _cursorOffset, read.Next, read.LineCount, read.Payload!);
                    return true;
                }

                // Damage found while replaying: skip to the next good record (reported once).
                var next = SpoolFormat.Resync(handle, _cursorOffset + 1, segment.Length);
                var skipTo = next < 0 ? segment.Length : next;
                var exact = read.State == RecordState.Corrupt && read.Next == skipTo;
                var isNew = ReportDamage(new SpoolDamage(segment.Path, _cursorOffset, skipTo - _cursorOffset,
                    next < 0 ? (read.State == RecordState.Torn ? SpoolDamageKind.TornTail : SpoolDamageKind.CorruptTail) : SpoolDamageKind.CorruptRecord,
                    exact ? read.LineCount : null));
                if (isNew)
                {
                    // Damaged after it was counted (found at open, damage is never counted): take it out of the pending totals.
                    segment.Records = Math.Max(0, segment.Records - 1);
                    segment.Lines = Math.Max(0, segment.Lines - (exact ? read.LineCount : 0));
                }

                SetCursorLocked(segment.Index, skipTo);
                PersistCursorLocked();
                UpdateStatusLocked();
            }
        }
    }

    /// <summary>Marks <paramref name="record"/> replayed: the cursor moves past it durably and consumed segments are deleted.</summary>
    public void Commit(SpoolRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        ObjectDisposedException.ThrowIf(_disposed, this);
        lock (_gate)
        {
            if (record.Segment != _cursorSegment || record.Offset != _cursorOffset)
            {
                return; // its segment was dropped (DropOldest) while it was being written
            }

            SetCursorLocked(record.Segment, record.Next);
            var segment = _segments.Find(s => s.Index == record.Segment);
            if (segment is not null)
            {
                segment.Records--;
                segment.Lines -= record.LineCount;
                if (segment.Records <= 0 && _cursorOffset >= segment.Length)
                {
                    RemoveSegmentLocked(segment);
                }
            }

            PersistCursorLocked();
            UpdateStatusLocked();
            SignalLocked(ref _spaceFreed);
        }
    }

    /// <summary>Completes at the next append after this property is read (take it before <see cref="TryReadNext"/>).</summary>
    public Task NextAppend { get { lock (_gate) { return _appended.Task; } } }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _activeStream?.Dispose();
            _activeStream = null;
            _lock?.Dispose();
            _lock = null;
            _spaceFreed.TrySetException(new ObjectDisposedException(nameof(DiskSpool)));
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static void SignalLocked(ref TaskCompletionSource signal)
    {
        var old = signal;
        signal = NewSignal();
        old.TrySetResult();
    }

    private long BytesLocked() => _segments.Sum(s => s.Length);

    private bool NeedsRoll(long recordSize) =>
        _active is null || _rollBeforeNextAppend
        || (_active.Length + recordSize > _options.SegmentBytes && _active.Length > SpoolFormat.SegmentHeaderSize);

    private void AppendLocked(ReadOnlySpan<byte> lines, int lineCount, long recordSize)
    {
        if (NeedsRoll(recordSize))
        {
            RollLocked();
        }

        var segment = _active!;
        var stream = _activeStream!;
        Span<byte> header = stackalloc byte[SpoolFormat.RecordHeaderSize];
        SpoolFormat.WriteRecordHeader(header, lines, lineCount);
        try
        {
            stream.Write(header);
            stream.Write(lines);
            stream.Flush(flushToDisk: _options.Fsync);
        }
        catch
        {
            // Never append after a half-written record: cut it if we can, and start a new segment next time.
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
        UpdateStatusLocked();
        SignalLocked(ref _appended);
    }

    private void RollLocked()
    {
        _activeStream?.Dispose();
        _activeStream = null;
        _active = null; // if creating the next segment fails, the next append tries again
        var index = _nextIndex++;
        var path = Path.Combine(DirectoryPath, SpoolFormat.SegmentFileName(index));
        var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read | FileShare.Delete, 1, FileOptions.None);
        try
        {
            Span<byte> header = stackalloc byte[SpoolFormat.SegmentHeaderSize];
            SpoolFormat.WriteSegmentHeader(header, index, _time.GetUtcNow().ToUnixTimeMilliseconds());
            stream.Write(header);
            stream.Flush(flushToDisk: _options.Fsync);
        }
        catch
        {
            stream.Dispose();
            File.Delete(path);
            throw;
        }
        _activeStream = stream;
        _rollBeforeNextAppend = false;
        _active = new Segment(index, path) { Length = SpoolFormat.SegmentHeaderSize };
        _segments.Add(_active);
    }

    private void DropOldestSegmentLocked()
    {
        var oldest = _segments[0];
        AddDropped(oldest.Lines);
        Log.SpoolDroppedOldest(_logger, oldest.Lines, Path.GetFileName(oldest.Path), _options.MaxBytes);
        RemoveSegmentLocked(oldest);
        var next = _segments.Count > 0 ? _segments[0].Index : _nextIndex;
        SetCursorLocked(next, SpoolFormat.SegmentHeaderSize);
        PersistCursorLocked();
        UpdateStatusLocked();
    }

    private void AddDropped(long lines)
    {
        Interlocked.Add(ref _droppedLines, lines);
        _status?.AddDropped(lines);
        InfluxMetrics.Dropped.Add(lines);
    }

    private void RemoveSegmentLocked(Segment segment)
    {
        if (segment == _active)
        {
            _activeStream?.Dispose();
            _activeStream = null;
            _active = null;
        }

        _segments.Remove(segment);
        if (!_readOnly)
        {
            File.Delete(segment.Path);
        }

        SignalLocked(ref _spaceFreed);
    }

    private void SetCursorLocked(long segment, long offset)
    {
        _cursorSegment = segment;
        _cursorOffset = offset;
    }

    private void PersistCursorLocked()
    {
        if (_readOnly)
        {
            return;
        }

        Span<byte> data = stackalloc byte[CursorSize];
        BinaryPrimitives.WriteInt64LittleEndian(data, _cursorSegment);
        BinaryPrimitives.WriteInt64LittleEndian(data[8..], _cursorOffset);
        BinaryPrimitives.WriteUInt32LittleEndian(data[16..], Crc32.HashToUInt32(data[..16]));
        var path = Path.Combine(DirectoryPath, CursorFile);
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.None))
        {
            stream.Write(data);
            stream.Flush(flushToDisk: _options.Fsync);
        }

        File.Move(temp, path, overwrite: true);
    }

    private (long Segment, long Offset)? ReadCursor()
    {
        var path = Path.Combine(DirectoryPath, CursorFile);
        if (!File.Exists(path))
        {
            return null;
        }

        var data = File.ReadAllBytes(path);
        if (data.Length != CursorSize || Crc32.HashToUInt32(data.AsSpan(0, 16)) != BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(16)))
        {
            // Replaying from the oldest segment instead only repeats points InfluxDB already has (same series and time).
            Log.SpoolCursorDamaged(_logger, path);
            return null;
        }

        return (BinaryPrimitives.ReadInt64LittleEndian(data), BinaryPrimitives.ReadInt64LittleEndian(data.AsSpan(8)));
    }

    private void Load()
    {
        if (!Directory.Exists(DirectoryPath))
        {
            if (_readOnly)
            {
                return;
            }

            Directory.CreateDirectory(DirectoryPath);
        }

        if (!_readOnly)
        {
            _lock = new FileStream(Path.Combine(DirectoryPath, LockFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }

        var files = new SortedList<long, string>();
        foreach (var path in Directory.EnumerateFiles(DirectoryPath, SpoolFormat.SegmentPrefix + "*" + SpoolFormat.SegmentExtension))
        {
            if (SpoolFormat.TryParseSegmentIndex(Path.GetFileName(path), out var index))
            {
                files[index] = path;
            }
        }

        var cursor = ReadCursor();
        var (cursorSegment, cursorOffset) = cursor ?? (files.Count > 0 ? files.Keys[0] : 0, SpoolFormat.SegmentHeaderSize);
        _nextIndex = Math.Max(cursorSegment, files.Count > 0 ? files.Keys[^1] : 0) + 1;
        SetCursorLocked(cursorSegment, cursorOffset);

        foreach (var (index, path) in files)
        {
            if (index < cursorSegment)
            {
                if (!_readOnly)
                {
                    File.Delete(path); // fully replayed before the last stop
                }

                continue;
            }

            var start = index == cursorSegment ? Math.Max(cursorOffset, SpoolFormat.SegmentHeaderSize) : SpoolFormat.SegmentHeaderSize;
            var segment = ScanSegment(index, path, start);
            if (segment is null)
            {
                continue;
            }

            if (segment.Records == 0 && !_readOnly)
            {
                File.Delete(path);
                continue;
            }

            _segments.Add(segment);
        }

        if (_segments.Count > 0 && _segments[0].Index != _cursorSegment)
        {
            SetCursorLocked(_segments[0].Index, SpoolFormat.SegmentHeaderSize);
        }

        if (!_readOnly)
        {
            PersistCursorLocked();
        }

        UpdateStatusLocked();
        Log.SpoolOpened(_logger, DirectoryPath, _segments.Count, _segments.Sum(s => s.Records), _segments.Sum(s => s.Lines), _damage.Count);
    }

    private Segment? ScanSegment(long index, string path, long start)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, _readOnly ? FileAccess.Read : FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        var length = RandomAccess.GetLength(handle);
        Span<byte> header = stackalloc byte[SpoolFormat.SegmentHeaderSize];
        if (length < SpoolFormat.SegmentHeaderSize || RandomAccess.Read(handle, header, 0) != SpoolFormat.SegmentHeaderSize
            || !SpoolFormat.IsValidSegmentHeader(header, index))
        {
            ReportDamage(new SpoolDamage(path, 0, length, SpoolDamageKind.BadSegmentHeader, null));
            handle.Dispose();
            if (!_readOnly)
            {
                File.Move(path, path + ".damaged", overwrite: true);
            }

            return null;
        }

        var segment = new Segment(index, path);
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
                ReportDamage(new SpoolDamage(path, offset, length - offset,
                    read.State == RecordState.Torn ? SpoolDamageKind.TornTail : SpoolDamageKind.CorruptTail,
                    read.State == RecordState.Torn && read.LineCount > 0 ? read.LineCount : null));
                break;
            }

            var exact = read.State == RecordState.Corrupt && read.Next == next;
            ReportDamage(new SpoolDamage(path, offset, next - offset, SpoolDamageKind.CorruptRecord, exact ? read.LineCount : null));
            offset = next; // skipped again (silently) by replay
        }

        if (offset < length && !_readOnly)
        {
            RandomAccess.SetLength(handle, offset); // cut the damaged tail so appends and replay start clean
            length = offset;
        }

        segment.Length = length;
        return segment;
    }

    /// <summary>Records and reports damage once; false if this place was already reported.</summary>
    private bool ReportDamage(SpoolDamage damage)
    {
        if (!_reportedDamage.Add((SegmentIndexOf(damage.File), damage.Offset)))
        {
            return false;
        }

        _damage.Add(damage);
        _status?.AddCorrupt(1);
        InfluxMetrics.CorruptRecords.Add(1);
        Log.SpoolDamaged(_logger, damage.ToString());
        return true;
    }

    private static long SegmentIndexOf(string path) => SpoolFormat.TryParseSegmentIndex(Path.GetFileName(path), out var index) ? index : -1;

    private void UpdateStatusLocked() => _status?.SetSpool(BytesLocked(), _segments.Sum(s => s.Lines));

    private sealed class Segment(long index, string path)
    {
        public long Index { get; } = index;

        public string Path { get; } = path;

        /// <summary>Bytes written and flushed; readers never look past it.</summary>
        public long Length { get; set; }

        /// <summary>Records after the cursor (all of them for later segments).</summary>
        public long Records { get; set; }

        public long Lines { get; set; }
    }
}
