using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using SmartCity.IoT.Gateway.Hosting;

namespace SmartCity.IoT.Gateway.Pipeline;

/// <summary>
/// Appends messages that failed to decode to a daily JSON-lines file (<c>messages-YYYYMMDD.jsonl</c>) in the dead-letter folder,
/// made durable by <see cref="Flush"/> before the message is acknowledged, and keeps the latest ones in memory for the status page.
/// Off the hot path: only bad messages come here.
/// </summary>
internal sealed class MessageDeadLetter : IDisposable
{
    private const int RecentCapacity = 50;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly Lock _gate = new();
    private readonly string _directory;
    private readonly int _payloadBytes;
    private readonly TimeProvider _time;
    private readonly Queue<DeadLetterRecord> _recent = new();
    private FileStream? _file;
    private string? _fileDay;
    private bool _dirty;

    public MessageDeadLetter(IOptions<GatewayOptions> options, TimeProvider time)
    {
        _directory = GatewayPaths.Resolve(options.Value.DeadLetterPath);
        _payloadBytes = options.Value.DeadLetterPayloadBytes;
        _time = time;
    }

    public string Directory => _directory;

    /// <summary>Records a message; <paramref name="totalBytes"/> is the original size when <paramref name="payload"/> is already only its head.</summary>
    public DeadLetterRecord Write(string topic, string reason, string detail, ReadOnlySpan<byte> payload, long? totalBytes = null)
    {
        var kept = payload.Length > _payloadBytes ? payload[.._payloadBytes] : payload;
        var (text, encoding) = Describe(kept);
        var size = totalBytes ?? payload.Length;
        var record = new DeadLetterRecord(_time.GetUtcNow(), topic, reason, detail, (int)Math.Min(size, int.MaxValue), text, encoding, kept.Length < size);
        var line = JsonSerializer.SerializeToUtf8Bytes(record, Json);
        lock (_gate)
        {
            var file = OpenFile(record.Time);
            file.Write(line);
            file.WriteByte((byte)'\n');
            _dirty = true;
            _recent.Enqueue(record);
            if (_recent.Count > RecentCapacity)
            {
                _recent.Dequeue();
            }
        }

        return record;
    }

    /// <summary>Makes what was written durable (once per batch, before its messages are acknowledged).</summary>
    public void Flush()
    {
        lock (_gate)
        {
            if (_dirty)
            {
                _file?.Flush(flushToDisk: true);
                _dirty = false;
            }
        }
    }

    public DeadLetterRecord[] Recent()
    {
        lock (_gate)
        {
            return _recent.Reverse().ToArray();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _file?.Dispose();
            _file = null;
        }
    }

    private FileStream OpenFile(DateTimeOffset now)
    {
        var day = now.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
        if (_file is null || _fileDay != day)
        {
            _file?.Flush(flushToDisk: true);
            _file?.Dispose();
            System.IO.Directory.CreateDirectory(_directory);
            _file = new FileStream(Path.Combine(_directory, $"messages-{day}.jsonl"), FileMode.Append, FileAccess.Write, FileShare.Read);
            _fileDay = day;
        }

        return _file;
    }

    /// <summary>UTF-8 text stays readable; anything else is kept as base64.</summary>
    private static (string Text, string Encoding) Describe(ReadOnlySpan<byte> payload)
    {
        try
        {
            return (new UTF8Encoding(false, true).GetString(payload), "utf8");
        }
        catch (DecoderFallbackException)
        {
            return (Convert.ToBase64String(payload), "base64");
        }
    }
}
