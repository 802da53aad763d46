using System.Text;
using System.Text.Json;

namespace SmartCity.IoT.Influx.DeadLetter;

/// <summary>
/// Appends dead-letter records as JSON lines to <c>&lt;directory&gt;/deadletter-yyyyMMdd.jsonl</c> (UTC day),
/// one object per line: <c>time, kind, source, status, reason, count, size, truncated, payload | payloadBase64</c>.
/// Each call is flushed to disk before it returns, so a record exists before the message or batch is acknowledged.
/// Thread-safe; payloads are cut at a configurable size, and the oldest day files are deleted once the folder passes
/// its byte budget (the current day's file is never deleted).
/// </summary>
public sealed class DeadLetterWriter
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private long _records;
    private long _totalBytes = -1;

    public DeadLetterWriter(string directory, TimeProvider? timeProvider = null, int maxPayloadBytes = 64 * 1024, long maxTotalBytes = 256L << 20)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPayloadBytes, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTotalBytes, 1024);
        DirectoryPath = Path.GetFullPath(directory);
        MaxPayloadBytes = maxPayloadBytes;
        MaxTotalBytes = maxTotalBytes;
        _time = timeProvider ?? TimeProvider.System;
    }

    public string DirectoryPath { get; }

    public int MaxPayloadBytes { get; }

    public long MaxTotalBytes { get; }

    /// <summary>Records written by this instance.</summary>
    public long RecordsWritten => Interlocked.Read(ref _records);

    /// <summary>The file records written now go to.</summary>
    public string CurrentFile => Path.Combine(DirectoryPath, $"deadletter-{_time.GetUtcNow():yyyyMMdd}.jsonl");

    public void Append(in DeadLetterEntry entry) => Append([entry]);

    public void Append(IReadOnlyList<DeadLetterEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            return;
        }

        var now = _time.GetUtcNow();
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256 * entries.Count);
        foreach (var entry in entries)
        {
            using (var json = new Utf8JsonWriter(buffer))
            {
                WriteRecord(json, entry, now);
            }

            System.Buffers.BuffersExtensions.Write(buffer, "\n"u8);
        }

        lock (_gate)
        {
            Directory.CreateDirectory(DirectoryPath);
            if (_totalBytes < 0)
            {
                _totalBytes = Files().Sum(f => f.Length);
            }

            var current = CurrentFile;
            using (var file = new FileStream(current, FileMode.Append, FileAccess.Write, FileShare.Read))
            {
                file.Write(buffer.WrittenSpan);
                file.Flush(flushToDisk: true);
            }

            _records += entries.Count;
            _totalBytes += buffer.WrittenCount;
            if (_totalBytes > MaxTotalBytes)
            {
                foreach (var old in Files().Where(f => f.FullName != current).OrderBy(f => f.Name, StringComparer.Ordinal))
                {
                    if (_totalBytes <= MaxTotalBytes)
                    {
                        break;
                    }

                    _totalBytes -= old.Length;
                    old.Delete();
                }
            }
        }
    }

    private IEnumerable<FileInfo> Files() => new DirectoryInfo(DirectoryPath).EnumerateFiles("deadletter-*.jsonl");

    private void WriteRecord(Utf8JsonWriter json, in DeadLetterEntry entry, DateTimeOffset now)
    {
        json.WriteStartObject();
        json.WriteString("time", now.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        json.WriteString("kind", entry.Kind);
        json.WriteString("source", entry.Source);
        if (entry.Status is { } status)
        {
            json.WriteNumber("status", status);
        }

        json.WriteString("reason", entry.Reason);
        json.WriteNumber("count", entry.Count);
        var payload = entry.Payload.Span;
        json.WriteNumber("size", payload.Length);
        var truncated = payload.Length > MaxPayloadBytes;
        json.WriteBoolean("truncated", truncated);
        if (!payload.IsEmpty)
        {
            var kept = truncated ? payload[..MaxPayloadBytes] : payload;
            if (TryDecodeUtf8(kept, truncated, out var text))
            {
                json.WriteString("payload", text);
            }
            else
            {
                json.WriteBase64String("payloadBase64", kept);
            }
        }

        json.WriteEndObject();
    }

    private static bool TryDecodeUtf8(ReadOnlySpan<byte> bytes, bool truncated, out string text)
    {
        // A cut may split a multi-byte character: back off to a character boundary.
        if (truncated)
        {
            var end = bytes.Length;
            while (end > 0 && end > bytes.Length - 4 && (bytes[end - 1] & 0xC0) == 0x80)
            {
                end--;
            }

            if (end > 0 && bytes[end - 1] >= 0xC0)
            {
                end--;
            }

            bytes = bytes[..end];
        }

        try
        {
            text = StrictUtf8.GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = "";
            return false;
        }
    }
}
