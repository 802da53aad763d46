using System.Buffers;

namespace SmartCity.IoT.Core.DeadLetters;

/// <summary>
/// The one dead-letter store: every message, line or item the gateway could not deliver and will not retry becomes one
/// JSON line (see <see cref="DeadLetterRecord"/>) in <c>&lt;Path&gt;/deadletter-yyyyMMdd.jsonl</c> (UTC day).
/// <see cref="Append"/> hands the record to the operating system without fsync, so a caller on a hot loop can append many;
/// <see cref="Flush"/> fsyncs them once, and must be called before what they stand for is acknowledged
/// (<see cref="AppendAndFlush"/> does both for a caller with nothing to batch). Payloads are cut at
/// <see cref="DeadLetterOptions.PayloadBytes"/>; past <see cref="DeadLetterOptions.MaxBytes"/> the oldest day files are deleted,
/// the current one never. The latest records are kept in memory for the status page. Thread-safe.
/// </summary>
public sealed class DeadLetterStore : IDisposable
{
    /// <summary>How many records <see cref="Recent"/> can return.</summary>
    public const int RecentCapacity = 50;

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly DeadLetterFolder _folder;
    private readonly ArrayBufferWriter<byte> _line = new(512);
    private readonly Queue<DeadLetterRecord> _recent = new(RecentCapacity + 1);
    private long _records;
    private bool _disposed;

    /// <exception cref="ArgumentException"><paramref name="options"/> are invalid (see <see cref="DeadLetterOptions.Validate"/>).</exception>
    public DeadLetterStore(DeadLetterOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(options));
        }

        DirectoryPath = System.IO.Path.GetFullPath(options.Path);
        PayloadBytes = options.PayloadBytes;
        MaxBytes = options.MaxBytes;
        _time = time ?? TimeProvider.System;
        _folder = new DeadLetterFolder(DirectoryPath, MaxBytes);
    }

    public string DirectoryPath { get; }

    public int PayloadBytes { get; }

    public long MaxBytes { get; }

    /// <summary>Records appended by this instance.</summary>
    public long RecordsWritten => Interlocked.Read(ref _records);

    /// <summary>The file records appended now go to.</summary>
    public string CurrentFile => System.IO.Path.Combine(DirectoryPath, DeadLetterFolder.FileName(_time.GetUtcNow()));

    /// <summary>
    /// Appends one record without fsync (call <see cref="Flush"/> before acknowledging). <paramref name="originalSize"/> is the
    /// payload's full size when <paramref name="payload"/> is only its head. Throws <see cref="IOException"/> when the disk fails.
    /// </summary>
    public DeadLetterRecord Append(in DeadLetterEntry entry, ReadOnlySpan<byte> payload, long? originalSize = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(entry.Kind, nameof(entry));
        var (text, isBase64) = DeadLetterPayload.Describe(payload, PayloadBytes, out var cut);
        var size = Math.Max(originalSize ?? payload.Length, payload.Length);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var now = _time.GetUtcNow();
            var record = new DeadLetterRecord(now, entry.Kind, entry.Source ?? "", entry.Reason ?? "", entry.Detail ?? "", entry.Status, entry.Count,
                size, cut || size > payload.Length, text, isBase64);
            _line.ResetWrittenCount();
            DeadLetterJson.Write(_line, record);
            _folder.Write(_line.WrittenSpan, now);
            _records++;
            _recent.Enqueue(record);
            if (_recent.Count > RecentCapacity)
            {
                _recent.Dequeue();
            }

            return record;
        }
    }

    /// <summary>
    /// Makes every record appended so far durable (one fsync; nothing to do when none was appended since the last, or after
    /// <see cref="Dispose"/>, which flushed them).
    /// </summary>
    public void Flush()
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                _folder.Flush();
            }
        }
    }

    /// <summary><see cref="Append"/> then <see cref="Flush"/>: the record is durable when this returns.</summary>
    public DeadLetterRecord AppendAndFlush(in DeadLetterEntry entry, ReadOnlySpan<byte> payload, long? originalSize = null)
    {
        var record = Append(entry, payload, originalSize);
        Flush();
        return record;
    }

    /// <summary>The latest records, newest first (at most <see cref="RecentCapacity"/>).</summary>
    public IReadOnlyList<DeadLetterRecord> Recent(int count = RecentCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        lock (_gate)
        {
            return [.. _recent.Reverse().Take(count)];
        }
    }

    /// <summary>Flushes and closes the current file.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _folder.Dispose();
        }
    }
}
