using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace SmartCity.IoT.Influx.Spool;

/// <summary>
/// An append-only disk spool of line-protocol batches: segment files of checksummed records (see <see cref="SpoolFormat"/>),
/// each batch flushed (fsync) as it is appended (<see cref="SpoolAppender"/>), and one durable cursor (<see cref="SpoolCursor"/>)
/// naming the next record to replay. Replay reads in order from the cursor while new batches are appended; consumed segments
/// are deleted whole. On open every pending record is checked (<see cref="SpoolSegmentScanner"/>): a torn or corrupt tail is
/// cut, a corrupt record in the middle is skipped on replay, and both are reported (<see cref="Damage"/>), never thrown.
/// One process owns a spool at a time (<c>spool.lock</c>). This type holds the lock, the list of segments and the full policy.
/// </summary>
internal sealed class DiskSpool : IDisposable
{
    private const string LockFile = "spool.lock";

    private readonly object _gate = new();
    private readonly SpoolOptions _options;
    private readonly StoreStatus? _status;
    private readonly ILogger _logger;
    private readonly bool _readOnly;
    private readonly List<SpoolSegment> _segments = [];
    private readonly SpoolDamageLog _damage;
    private readonly SpoolCursor _cursor;
    private readonly SpoolAppender _appender;
    private readonly SpoolRecordReader _reader;
    private FileStream? _lock;
    private bool _fullReported;
    private long _nextIndex = 1;
    private long _droppedLines;
    private TaskCompletionSource _spaceFreed = NewSignal();
    private TaskCompletionSource _appended = NewSignal();
    private bool _disposed;

    private DiskSpool(SpoolOptions options, StoreStatus? status, ILogger? logger, TimeProvider? time, bool readOnly)
    {
        _options = options;
        _status = status;
        _logger = logger ?? NullLogger.Instance;
        _readOnly = readOnly;
        DirectoryPath = Path.GetFullPath(options.Path);
        _damage = new SpoolDamageLog(status, _logger);
        _cursor = new SpoolCursor(DirectoryPath, options.Fsync, readOnly, _logger);
        _appender = new SpoolAppender(DirectoryPath, options, time ?? TimeProvider.System);
        _reader = new SpoolRecordReader(_damage);
    }

    public string DirectoryPath { get; }

    public long MaxBytes => _options.MaxBytes;

    /// <summary>Damage found when the spool was opened (already cut or to be skipped).</summary>
    public IReadOnlyList<SpoolDamage> Damage { get { lock (_gate) { return _damage.ToArray(); } } }

    /// <summary>Bytes of all segment files.</summary>
    public long Bytes { get { lock (_gate) { return BytesLocked(); } } }

    /// <summary>Lines not yet replayed (corrupt records excluded once found).</summary>
    public long PendingLines { get { lock (_gate) { return _segments.Sum(s => s.Lines); } } }

    public long PendingRecords { get { lock (_gate) { return _segments.Sum(s => s.Records); } } }

    public bool IsEmpty { get { lock (_gate) { return _segments.All(s => s.Records == 0); } } }

    /// <summary>Lines discarded by the DropOldest/DropNewest policies since open.</summary>
    public long DroppedLines => Interlocked.Read(ref _droppedLines);

    public (long Segment, long Offset) Cursor { get { lock (_gate) { return (_cursor.Segment, _cursor.Offset); } } }

    public IReadOnlyList<SpoolSegmentInfo> Segments
    {
        get { lock (_gate) { return [.. _segments.Select(s => new SpoolSegmentInfo(s.Index, s.Path, s.Length, s.Records, s.Lines))]; } }
    }

    /// <summary>Completes at the next append after this property is read (take it before <see cref="TryReadNext"/>).</summary>
    public Task NextAppend { get { lock (_gate) { return _appended.Task; } } }

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
                var needed = recordSize + (_appender.NeedsRoll(recordSize) ? SpoolFormat.SegmentHeaderSize : 0);
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
                var segment = _segments.Find(s => s.Index >= _cursor.Segment);
                if (segment is null)
                {
                    return false;
                }

                if (segment.Index != _cursor.Segment)
                {
                    _cursor.MoveTo(segment.Index, SpoolFormat.SegmentHeaderSize);
                }

                if (_cursor.Offset >= segment.Length)
                {
                    if (segment == _appender.Active || segment == _segments[^1])
                    {
                        return false;
                    }

                    RemoveSegmentLocked(segment);
                    continue;
                }

                record = _reader.ReadAt(segment, _cursor.Offset, out var skipTo);
                if (record is not null)
                {
                    return true;
                }

                _cursor.MoveTo(segment.Index, skipTo);
                _cursor.Persist();
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
            if (record.Segment != _cursor.Segment || record.Offset != _cursor.Offset)
            {
                return; // its segment was dropped (DropOldest) while it was being written
            }

            _cursor.MoveTo(record.Segment, record.Next);
            var segment = _segments.Find(s => s.Index == record.Segment);
            if (segment is not null)
            {
                segment.Records--;
                segment.Lines -= record.LineCount;
                if (segment.Records <= 0 && _cursor.Offset >= segment.Length)
                {
                    RemoveSegmentLocked(segment);
                }
            }

            _cursor.Persist();
            UpdateStatusLocked();
            SignalLocked(ref _spaceFreed);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _appender.Dispose();
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

    private void AppendLocked(ReadOnlySpan<byte> lines, int lineCount, long recordSize)
    {
        if (_appender.NeedsRoll(recordSize))
        {
            _segments.Add(_appender.Roll(_nextIndex++));
        }

        _appender.Append(lines, lineCount, recordSize);
        UpdateStatusLocked();
        SignalLocked(ref _appended);
    }

    private void DropOldestSegmentLocked()
    {
        var oldest = _segments[0];
        AddDropped(oldest.Lines);
        Log.SpoolDroppedOldest(_logger, oldest.Lines, Path.GetFileName(oldest.Path), _options.MaxBytes);
        RemoveSegmentLocked(oldest);
        var next = _segments.Count > 0 ? _segments[0].Index : _nextIndex;
        _cursor.MoveTo(next, SpoolFormat.SegmentHeaderSize);
        _cursor.Persist();
        UpdateStatusLocked();
    }

    private void AddDropped(long lines)
    {
        Interlocked.Add(ref _droppedLines, lines);
        _status?.AddDropped(lines);
        InfluxMetrics.Dropped.Add(lines);
    }

    private void RemoveSegmentLocked(SpoolSegment segment)
    {
        if (segment == _appender.Active)
        {
            _appender.Close();
        }

        _segments.Remove(segment);
        if (!_readOnly)
        {
            File.Delete(segment.Path);
        }

        SignalLocked(ref _spaceFreed);
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

        var files = SpoolSegmentScanner.List(DirectoryPath);
        var (cursorSegment, cursorOffset) = _cursor.ReadPersisted() ?? (files.Count > 0 ? files.Keys[0] : 0, SpoolFormat.SegmentHeaderSize);
        _nextIndex = Math.Max(cursorSegment, files.Count > 0 ? files.Keys[^1] : 0) + 1;
        _cursor.MoveTo(cursorSegment, cursorOffset);

        var scanner = new SpoolSegmentScanner(_damage, _readOnly);
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
            var segment = scanner.Scan(index, path, start);
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

        if (_segments.Count > 0 && _segments[0].Index != _cursor.Segment)
        {
            _cursor.MoveTo(_segments[0].Index, SpoolFormat.SegmentHeaderSize);
        }

        _cursor.Persist();
        UpdateStatusLocked();
        Log.SpoolOpened(_logger, DirectoryPath, _segments.Count, _segments.Sum(s => s.Records), _segments.Sum(s => s.Lines), _damage.Count);
    }

    private void UpdateStatusLocked() => _status?.SetSpool(BytesLocked(), _segments.Sum(s => s.Lines));
}
