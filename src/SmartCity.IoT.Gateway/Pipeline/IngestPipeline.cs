using System.Buffers;
using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Core.LineProtocol;
using SmartCity.IoT.Core.Model;
using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Devices;
using SmartCity.IoT.Gateway.Hosting;
using SmartCity.IoT.Influx;
using SmartCity.IoT.Mqtt;
using SmartCity.IoT.Rules.Engine;
using SmartCity.IoT.Rules.Model;

namespace SmartCity.IoT.Gateway.Pipeline;

/// <summary>
/// The one path every message takes: decode through its device profile, evaluate the rules, append line protocol to the
/// current batch, and acknowledge the message to the broker only after the batch is durable (InfluxDB or spool).
/// Messages arrive one at a time from the MQTT client's dispatch loop; a gate serializes them with the flush timer,
/// rule ticks, reloads and checkpoints. Sealed batches go through a small bounded channel to one writer loop, so a slow
/// InfluxDB stops the reading of new messages (back-pressure) instead of growing memory.
/// </summary>
public sealed partial class IngestPipeline : IMqttMessageHandler, IAlertPublisher, IDisposable
{
    private readonly DeviceCatalog _catalog;
    private readonly DeviceRegistry _registry;
    private readonly IBatchStore _store;
    private readonly IAlertPublisher _alerts;
    private readonly MessageDeadLetter _deadLetter;
    private readonly PipelineStats _stats;
    private readonly ILogger<IngestPipeline> _logger;
    private readonly TimeProvider _time;
    private readonly GatewayOptions _options;
    private readonly int _batchSize;
    private readonly TimeSpan _flushInterval;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Channel<Batch> _sealed;
    private readonly ConcurrentBag<Batch> _free = [];
    private readonly Reading _reading;
    private readonly ArrayBufferWriter<byte> _line = new(1024);
    private readonly ConcurrentDictionary<(DecodeError, string), byte> _loggedRejections = new();
    private readonly RuleEngine _engine;
    private Batch _current;
    private byte[] _scratch = new byte[4096];
    private long _lastMessageTicks;
    private int _writing;
    private MqttIngestClient? _client;

    public IngestPipeline(
        DeviceCatalog catalog,
        DeviceRegistry registry,
        RuleSet rules,
        IBatchStore store,
        IAlertPublisher alerts,
        MessageDeadLetter deadLetter,
        PipelineStats stats,
        IOptions<GatewayOptions> options,
        IOptions<InfluxOptions> influx,
        ILogger<IngestPipeline> logger,
        TimeProvider time)
    {
        _catalog = catalog;
        _registry = registry;
        _store = store;
        _alerts = alerts;
        _deadLetter = deadLetter;
        _stats = stats;
        _logger = logger;
        _time = time;
        _options = options.Value;
        _batchSize = influx.Value.BatchSize;
        _flushInterval = influx.Value.FlushInterval;
        _reading = new Reading(catalog.Vocabulary.Count);
        _engine = new RuleEngine(rules, catalog.Vocabulary, registry, this, time);
        _sealed = Channel.CreateBounded<Batch>(new BoundedChannelOptions(_options.MaxPendingBatches) { SingleReader = true, SingleWriter = true });
        _current = NewBatch();
    }

    /// <summary>The client whose messages this pipeline acknowledges; set once, before messages flow.</summary>
    public void Attach(MqttIngestClient client) => _client = client;

    public async ValueTask OnMessageAsync(MqttApplicationMessageReceivedEventArgs message, int connectionEpoch, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = _time.GetTimestamp();
            Volatile.Write(ref _lastMessageTicks, now);
            if (_current.OpenedAtTicks == 0)
            {
                _current.OpenedAtTicks = now;
            }

            try
            {
                Process(message.ApplicationMessage.Topic, message.ApplicationMessage.Payload);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A bug must not stall the stream: the message is kept as a dead letter and acknowledged with its batch.
                _stats.ProcessingFailed();
                Log.ProcessingFailed(_logger, message.ApplicationMessage.Topic, ex);
                TryDeadLetter(message.ApplicationMessage.Topic, "ProcessingFailed", ex.Message, message.ApplicationMessage.Payload);
            }

            _current.Acks.Add(new PendingAck(message, connectionEpoch));
            if (_current.Lines >= _batchSize || _current.Acks.Count >= _batchSize)
            {
                await SealAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Decodes, evaluates and encodes one payload into the current batch (called under the gate).</summary>
    private void Process(string topic, ReadOnlySequence<byte> payload)
    {
        var nowNs = _time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000L;
        _stats.MessageReceived(nowNs / 1_000_000L);
        if (payload.Length > _options.MaxPayloadBytes)
        {
            Reject(topic, DecodeError.PayloadTooLarge, $"payload of {payload.Length} bytes exceeds Gateway:MaxPayloadBytes ({_options.MaxPayloadBytes})", Head(payload), payload.Length);
            return;
        }

        var span = Contiguous(payload);
        var result = _catalog.Decode(topic, span, _reading, nowNs);
        if (result.IsAvailability)
        {
            _stats.AvailabilityReceived();
            if (_reading.Profile is { } profile && _registry.TryFind(profile, _reading.DeviceId.Span, out var device))
            {
                device.Online = result.Online;
            }

            return;
        }

        if (!result.IsSuccess)
        {
            Reject(topic, result.Error, result.Detail ?? result.Error.ToString(), span, span.Length);
            return;
        }

        if (result.RejectedFields > 0)
        {
            _stats.FieldRejected(result.RejectedFields);
            RecordFieldRejection(topic, result.RejectionReason, result.RejectionDetail ?? "field rejected", span);
        }

        _stats.ReadingDecoded();
        _registry.Observe(_reading);
        _engine.Evaluate(_reading);
        // Encoded apart and copied whole, so a failure half-way never leaves a torn line in the batch.
        _line.ResetWrittenCount();
        if (LineProtocolWriter.WriteReading(_line, _reading, _catalog.Vocabulary))
        {
            _current.Buffer.Write(_line.WrittenSpan);
            _current.Lines++;
        }
    }

    /// <summary>
    /// Alert transitions from the rule engine (always raised under the gate): recorded in the <c>alerts</c> measurement and
    /// queued with the current batch. Delivery gets them once the batch is durable, all in one outbox commit, before the
    /// batch's messages are acknowledged: a crash before that point redelivers the readings, which raise the alert again.
    /// </summary>
    public void Publish(Alert alert)
    {
        _stats.AlertTransition(alert.Status);
        Log.AlertTransition(_logger, alert.Status, alert.Severity, alert.RuleName, alert.DeviceId, alert.Annotations.TryGetValue("summary", out var s) ? s : "");
        LineProtocolWriter.WriteAlert(_current.Buffer, alert);
        _current.Lines++;
        _current.Alerts.Add(alert);
        if (_current.OpenedAtTicks == 0)
        {
            _current.OpenedAtTicks = _time.GetTimestamp();
        }
    }

    /// <summary>Runs the rule engine's timers and flushes a batch that is old enough or idle with acknowledgements waiting.</summary>
    public async Task TickAsync(bool runRules, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (runRules)
            {
                _engine.Tick();
            }

            if (_current.IsEmpty)
            {
                return;
            }

            var now = _time.GetTimestamp();
            var age = _time.GetElapsedTime(_current.OpenedAtTicks, now);
            var idle = _time.GetElapsedTime(Volatile.Read(ref _lastMessageTicks), now);
            if (age >= _flushInterval || (idle >= _options.IdleFlush && _current.Acks.Count > 0) || _current.Acks.Count == 0 && age >= _options.IdleFlush)
            {
                await SealAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Runs <paramref name="action"/> on the engine with messages held off: reloads and checkpoints.</summary>
    public async Task WithEngineAsync(Action<RuleEngine> action, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            action(_engine);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Seals whatever is in the current batch and waits until every sealed batch is durable and acknowledged.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_current.IsEmpty)
            {
                await SealAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }

        while (_sealed.Reader.Count > 0 || Volatile.Read(ref _writing) == 1)
        {
            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The writer loop: makes each sealed batch durable, then acknowledges its messages in order.</summary>
    public async Task RunWriterAsync(CancellationToken cancellationToken)
    {
        await foreach (var batch in _sealed.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            Volatile.Write(ref _writing, 1);
            try
            {
                var started = _time.GetTimestamp();
                if (batch.Lines > 0)
                {
                    await _store.StoreAsync(batch.Buffer.WrittenMemory, batch.Lines, cancellationToken).ConfigureAwait(false);
                }

                if (batch.Alerts.Count > 0)
                {
                    try
                    {
                        _alerts.PublishMany(batch.Alerts);
                    }
                    catch (Exception ex)
                    {
                        Log.AlertDeliveryFailed(_logger, batch.Alerts[0].RuleName, ex);
                    }
                }

                if (_client is { } client)
                {
                    foreach (var ack in batch.Acks)
                    {
                        await client.AcknowledgeAsync(ack.Message, ack.Epoch, cancellationToken).ConfigureAwait(false);
                    }
                }

                _stats.BatchStored(batch.Acks.Count, _time.GetElapsedTime(started));
                batch.Reset();
                _free.Add(batch);
            }
            finally
            {
                Volatile.Write(ref _writing, 0);
            }
        }
    }

    /// <summary>Stops accepting batches; the writer loop ends once it has drained them.</summary>
    public void Complete() => _sealed.Writer.TryComplete();

    public void Dispose()
    {
        _gate.Dispose();
    }

    private async ValueTask SealAsync(CancellationToken cancellationToken)
    {
        var full = _current;
        _current = _free.TryTake(out var reused) ? reused : NewBatch();
        // Waits here when the writer is behind: the gate stays held, so no new message is read.
        await _sealed.Writer.WriteAsync(full, cancellationToken).ConfigureAwait(false);
    }

    private Batch NewBatch() => new(Math.Max(4096, _batchSize * 160), Math.Max(16, _batchSize));

    private ReadOnlySpan<byte> Contiguous(ReadOnlySequence<byte> payload)
    {
        if (payload.IsSingleSegment)
        {
            return payload.FirstSpan;
        }

        if (_scratch.Length < payload.Length)
        {
            _scratch = new byte[Math.Max((int)payload.Length, _scratch.Length * 2)];
        }

        payload.CopyTo(_scratch);
        return _scratch.AsSpan(0, (int)payload.Length);
    }

    private void Reject(string topic, DecodeError reason, string detail, ReadOnlySpan<byte> payload, long totalBytes)
    {
        _stats.MessageRejected(reason);
        if (FirstTime(reason, topic))
        {
            Log.MessageRejected(_logger, topic, reason, detail);
        }

        WriteDeadLetter(topic, reason.ToString(), detail, payload, totalBytes);
    }

    private void TryDeadLetter(string topic, string reason, string detail, ReadOnlySequence<byte> payload) =>
        WriteDeadLetter(topic, reason, detail, Head(payload), payload.Length);

    private void RecordFieldRejection(string topic, DecodeError reason, string detail, ReadOnlySpan<byte> payload)
    {
        if (FirstTime(reason, topic))
        {
            Log.FieldRejected(_logger, topic, detail);
        }

        // The reading itself was kept; the record says which field was dropped and why.
        WriteDeadLetter(topic, "FieldRejected:" + reason, detail, payload, payload.Length);
    }

    /// <summary>Each (reason, topic) is logged once, then only counted: a flood of bad messages must not flood the log.</summary>
    private bool FirstTime(DecodeError reason, string topic) =>
        _loggedRejections.Count < 10_000 && _loggedRejections.TryAdd((reason, topic), 0);

    /// <summary>The part of a payload a dead-letter record keeps (the record notes the full size).</summary>
    private byte[] Head(ReadOnlySequence<byte> payload) => payload.Slice(0, Math.Min(payload.Length, _options.DeadLetterPayloadBytes)).ToArray();

    private void WriteDeadLetter(string topic, string reason, string detail, ReadOnlySpan<byte> payload, long totalBytes)
    {
        try
        {
            _deadLetter.Write(topic, reason, detail, payload, totalBytes);
        }
        catch (IOException ex)
        {
            Log.DeadLetterFailed(_logger, topic, ex.Message);
        }
    }
}
