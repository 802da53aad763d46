using System.Buffers;
using Microsoft.Extensions.Logging;
using SmartCity.IoT.Core.DeadLetters;
using SmartCity.IoT.Core.Decoding;

namespace SmartCity.IoT.Gateway.Pipeline;

/// <summary>
/// Dead letter: what happens to a message the pipeline could not (fully) use. Every rejected message is counted, logged
/// once per (reason, topic) and kept in the dead-letter store; a reading that lost only a field is kept and the field's
/// rejection recorded at most once a minute per (reason, topic), so one misconfigured device cannot fill the disk.
/// Records reach the disk before the batch that holds their messages is acknowledged (<see cref="Flush"/>, once per batch).
/// </summary>
internal sealed class DeadLetterPolicy
{
    /// <summary>The record kind of a message (the InfluxDB sink writes <c>line</c> records to the same store).</summary>
    public const string MessageKind = "message";

    private const int MaxTrackedKeys = 10_000;
    private static readonly TimeSpan FieldRejectionInterval = TimeSpan.FromMinutes(1);

    private readonly DeadLetterStore _store;
    private readonly PipelineStats _stats;
    private readonly ILogger<DeadLetterPolicy> _logger;
    private readonly TimeProvider _time;
    private readonly Dictionary<(DecodeError, string), byte> _logged = [];
    private readonly Dictionary<(DecodeError, string), long> _fieldRecorded = [];

    public DeadLetterPolicy(DeadLetterStore store, PipelineStats stats, ILogger<DeadLetterPolicy> logger, TimeProvider time)
    {
        _store = store;
        _stats = stats;
        _logger = logger;
        _time = time;
    }

    /// <summary>A message that produced no reading.</summary>
    public void Rejected(string topic, DecodeError reason, string detail, ReadOnlySpan<byte> payload, long totalBytes)
    {
        _stats.MessageRejected(reason);
        if (FirstTime(reason, topic))
        {
            Log.MessageRejected(_logger, topic, reason, detail);
        }

        Write(topic, reason.ToString(), detail, payload, totalBytes);
    }

    /// <summary>A message that produced no reading and is kept only in part (too large to copy whole).</summary>
    public void Rejected(string topic, DecodeError reason, string detail, ReadOnlySequence<byte> payload) =>
        Rejected(topic, reason, detail, Head(payload), payload.Length);

    /// <summary>A reading that was kept without some of its fields.</summary>
    public void FieldsRejected(string topic, int count, DecodeError reason, string detail, ReadOnlySpan<byte> payload)
    {
        _stats.FieldRejected(count);
        if (FirstTime(reason, topic))
        {
            Log.FieldRejected(_logger, topic, detail);
        }

        var now = _time.GetTimestamp();
        var key = (reason, topic);
        if (_fieldRecorded.TryGetValue(key, out var last) && _time.GetElapsedTime(last, now) < FieldRejectionInterval)
        {
            return;
        }

        if (_fieldRecorded.Count < MaxTrackedKeys || _fieldRecorded.ContainsKey(key))
        {
            _fieldRecorded[key] = now;
        }

        Write(topic, "FieldRejected:" + reason, detail, payload, payload.Length);
    }

    /// <summary>Processing threw (a bug): the message is kept so the stream goes on.</summary>
    public void Failed(string topic, Exception exception, ReadOnlySequence<byte> payload)
    {
        _stats.ProcessingFailed();
        Log.ProcessingFailed(_logger, topic, exception);
        Write(topic, "ProcessingFailed", exception.Message, Head(payload), payload.Length);
    }

    /// <summary>Makes every record written so far durable; called by the writer before a batch's messages are acknowledged. Thread-safe.</summary>
    public void Flush()
    {
        try
        {
            _store.Flush();
        }
        catch (IOException ex)
        {
            Log.DeadLetterFailed(_logger, "(flush)", ex.Message);
        }
    }

    /// <summary>The part of a payload a record keeps (the record notes the full size).</summary>
    private byte[] Head(ReadOnlySequence<byte> payload) => payload.Slice(0, Math.Min(payload.Length, _store.PayloadBytes)).ToArray();

    /// <summary>Each (reason, topic) is logged once, then only counted: a flood of bad messages must not flood the log.</summary>
    private bool FirstTime(DecodeError reason, string topic) =>
        _logged.Count < MaxTrackedKeys && _logged.TryAdd((reason, topic), 0);

    private void Write(string topic, string reason, string detail, ReadOnlySpan<byte> payload, long totalBytes)
    {
        try
        {
            _store.Append(new DeadLetterEntry(MessageKind, topic, reason, detail), payload, totalBytes);
        }
        catch (IOException ex)
        {
            Log.DeadLetterFailed(_logger, topic, ex.Message);
        }
    }
}
