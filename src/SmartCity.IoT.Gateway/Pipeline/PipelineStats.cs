using System.Diagnostics.Metrics;
using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Core.Telemetry;
using SmartCity.IoT.Core.Decoding;

namespace SmartCity.IoT.Gateway.Pipeline;

/// <summary>Counters of the ingest pipeline, read by the status page and exported as metrics.</summary>
internal sealed class PipelineStats
{
    private static readonly int ReasonCount = Enum.GetValues<DecodeError>().Max(e => (int)e) + 1;

    private readonly Histogram<double> _batchStore = GatewayMeter.Meter.CreateHistogram<double>("batch.store.duration", unit: "s", description: "Time to make a batch durable");
    private readonly long[] _rejectedByReason = new long[ReasonCount];
    private readonly long[] _alertsByStatus = new long[4];
    private long _receivedTotal;
    private long _decodedTotal;
    private long _fieldsRejectedTotal;
    private long _ackedTotal;
    private long _batches;
    private long _availability;
    private long _lastMessageUnixMs;
    private long _processingFailures;
    private long _sinkFailures;
    private long _outboxFailures;

    private long _retainedSkipped;
    private long _retainedReplayed;

    public PipelineStats(TimeProvider time)
    {
        Started = time.GetUtcNow();
        // Per-message counts are read when metrics are collected: a Counter.Add per message went through the exporter's
        // label lookup on the hot path (about 1 % of the gateway's CPU in the load run).
        // The same for the other counts, which also makes every series (each reject reason included) present from start-up.
        GatewayMeter.Meter.CreateObservableCounter("messages.received", () => Received, "{message}", "Messages received from every source");
        GatewayMeter.Meter.CreateObservableCounter("readings.decoded", () => Decoded, "{reading}", "Readings decoded");
        GatewayMeter.Meter.CreateObservableCounter("messages.rejected", ObserveRejected, "{message}", "Messages rejected and dead-lettered, by reason");
        GatewayMeter.Meter.CreateObservableCounter("fields.rejected", () => FieldsRejected, "{field}", "Fields dropped from otherwise good readings (out of range, wrong type)");
        GatewayMeter.Meter.CreateObservableCounter("messages.acknowledged", () => Acknowledged, "{message}", "Messages acknowledged to their source after their batch was durable");
        GatewayMeter.Meter.CreateObservableCounter("messages.retained.skipped", () => RetainedSkippedCount, "{message}", "Retained messages dropped by their profile's retained: skip");
        GatewayMeter.Meter.CreateObservableCounter("readings.replayed", () => RetainedReplayedCount, "{reading}", "Retained readings stored as replays (retained: replay), not evaluated by the rules");
    }

    public DateTimeOffset Started { get; }

    public long Received => Interlocked.Read(ref _receivedTotal);

    public long Decoded => Interlocked.Read(ref _decodedTotal);

    public long FieldsRejected => Interlocked.Read(ref _fieldsRejectedTotal);

    public long Acknowledged => Interlocked.Read(ref _ackedTotal);

    public long Batches => Interlocked.Read(ref _batches);

    public long AvailabilityMessages => Interlocked.Read(ref _availability);

    public DateTimeOffset? LastMessage => Interlocked.Read(ref _lastMessageUnixMs) is var ms and > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;

    public long Rejected
    {
        get
        {
            long sum = 0;
            for (var i = 0; i < _rejectedByReason.Length; i++)
            {
                sum += Interlocked.Read(ref _rejectedByReason[i]);
            }

            return sum + ProcessingFailures;
        }
    }

    public IReadOnlyDictionary<string, long> RejectedByReason()
    {
        var result = new SortedDictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < _rejectedByReason.Length; i++)
        {
            var n = Interlocked.Read(ref _rejectedByReason[i]);
            if (n > 0)
            {
                result[((DecodeError)i).ToString()] = n;
            }
        }

        if (ProcessingFailures > 0)
        {
            result["ProcessingFailed"] = ProcessingFailures;
        }

        return result;
    }

    public IReadOnlyDictionary<string, long> AlertsByStatus() => new SortedDictionary<string, long>(StringComparer.Ordinal)
    {
        ["firing"] = Interlocked.Read(ref _alertsByStatus[(int)AlertStatus.Firing]),
        ["escalated"] = Interlocked.Read(ref _alertsByStatus[(int)AlertStatus.Escalated]),
        ["deescalated"] = Interlocked.Read(ref _alertsByStatus[(int)AlertStatus.Deescalated]),
        ["resolved"] = Interlocked.Read(ref _alertsByStatus[(int)AlertStatus.Resolved]),
    };

    public void MessageReceived(long unixMs)
    {
        Interlocked.Increment(ref _receivedTotal);
        Volatile.Write(ref _lastMessageUnixMs, unixMs);
    }

    public void ReadingDecoded()
    {
        Interlocked.Increment(ref _decodedTotal);
    }

    public void AvailabilityReceived() => Interlocked.Increment(ref _availability);

    /// <summary>Retained (replayed) messages dropped because their profile says <c>retained: skip</c>.</summary>
    public long RetainedSkippedCount => Interlocked.Read(ref _retainedSkipped);

    /// <summary>Retained (replayed) readings stored as replays (<c>retained: replay</c>), not evaluated by the rules.</summary>
    public long RetainedReplayedCount => Interlocked.Read(ref _retainedReplayed);

    public void RetainedSkipped() => Interlocked.Increment(ref _retainedSkipped);

    public void RetainedReplayed() => Interlocked.Increment(ref _retainedReplayed);

    /// <summary>Messages whose processing threw (a bug): dead-lettered, counted as rejected with reason ProcessingFailed.</summary>
    public long ProcessingFailures => Interlocked.Read(ref _processingFailures);

    public void ProcessingFailed()
    {
        Interlocked.Increment(ref _processingFailures);
    }

    /// <summary>Sink writes that threw (the batch was retried).</summary>
    public long SinkFailures => Interlocked.Read(ref _sinkFailures);

    public void SinkFailed() => Interlocked.Increment(ref _sinkFailures);

    /// <summary>Alert outbox commits that failed (the batch's transitions were retried).</summary>
    public long OutboxFailures => Interlocked.Read(ref _outboxFailures);

    public void OutboxFailed() => Interlocked.Increment(ref _outboxFailures);

    public void MessageRejected(DecodeError reason)
    {
        Interlocked.Increment(ref _rejectedByReason[(int)reason]);
    }

    public void FieldRejected(int count)
    {
        Interlocked.Add(ref _fieldsRejectedTotal, count);
    }

    public void BatchStored(int messages, TimeSpan elapsed)
    {
        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _ackedTotal, messages);
        _batchStore.Record(elapsed.TotalSeconds);
    }

    /// <summary>For the status page only: the exported metric is the outbox's <c>alerts.published</c>, counted once per stored transition.</summary>
    public void AlertTransition(AlertStatus status) => Interlocked.Increment(ref _alertsByStatus[(int)status]);

    private static readonly string[] ReasonNames = Enumerable.Range(0, ReasonCount).Select(i => ((DecodeError)i).ToString()).ToArray();

    private IEnumerable<Measurement<long>> ObserveRejected()
    {
        for (var i = 0; i < _rejectedByReason.Length; i++)
        {
            if ((DecodeError)i != DecodeError.None)
            {
                yield return new Measurement<long>(Interlocked.Read(ref _rejectedByReason[i]), new KeyValuePair<string, object?>("reason", ReasonNames[i]));
            }
        }

        yield return new Measurement<long>(ProcessingFailures, new KeyValuePair<string, object?>("reason", "ProcessingFailed"));
    }
}
