using System.Buffers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Core.LineProtocol;
using SmartCity.IoT.Core.Model;
using SmartCity.IoT.Core.Pipeline;
using SmartCity.IoT.Core.Places;
using SmartCity.IoT.Devices;
using SmartCity.IoT.Gateway.Hosting;
using SmartCity.IoT.Rules.Engine;

namespace SmartCity.IoT.Gateway.Pipeline;

/// <summary>
/// Decode and evaluate: one message's payload through its device profile into its readings (usually one; several for
/// a message with several samples, devices or field instances), each reading through the rule engine, and their line
/// protocol into the open batch. The hot path: nothing is allocated per good reading. Called only under the pipeline's
/// gate, so it keeps one reading set and one line buffer for all messages. Every line of a message goes into the same
/// batch (a batch is only sealed between messages), so the message is acknowledged once all its readings are durable.
/// </summary>
internal sealed class MessageProcessor
{
    private readonly DeviceCatalog _catalog;
    private readonly DeviceRegistry _registry;
    private readonly RuleEngine _engine;
    private readonly BatchAssembler _batches;
    private readonly DeadLetterPolicy _deadLetters;
    private readonly PipelineStats _stats;
    private readonly ILogger<MessageProcessor> _logger;
    private readonly int _maxPayloadBytes;
    private readonly IBuildingModelSource? _places;
    private readonly ReadingSet _readings;
    private readonly ArrayBufferWriter<byte> _line = new(1024);
    private byte[] _scratch = new byte[4096];

    public MessageProcessor(DeviceCatalog catalog, DeviceRegistry registry, RuleEngine engine, BatchAssembler batches, DeadLetterPolicy deadLetters, PipelineStats stats, IOptions<GatewayOptions> options, ILogger<MessageProcessor> logger, IBuildingModelSource? places = null)
    {
        _places = places;
        _catalog = catalog;
        _registry = registry;
        _engine = engine;
        _batches = batches;
        _deadLetters = deadLetters;
        _stats = stats;
        _logger = logger;
        _maxPayloadBytes = options.Value.MaxPayloadBytes;
        _readings = catalog.CreateReadingSet();
    }

    // The message being processed: where it sits in its stream, and when replaying, the rule clock (0: live).
    private int _partition = -1;
    private long _sequence;
    private long _replayAtNs;

    /// <summary>Processes one message; a failure of its own (a bug) dead-letters it instead of stalling the stream.</summary>
    public void Process(in InboundMessage message, TopicSyntax syntax)
    {
        _partition = message.Partition;
        _sequence = message.StreamSequence;
        _replayAtNs = 0;
        try
        {
            ProcessCore(message.Topic, syntax, message.Payload, message.ReceivedUnixNs, message.Redelivered, message.IsReplay, message.Token.Source?.Name, message.Partition);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _deadLetters.Failed(message.Topic, ex, message.Payload);
        }
    }

    /// <summary>
    /// Replays one stream message into the rule engine only (a partition's takeover, see <see cref="RuleEngine.Replay"/>):
    /// decoded and evaluated at <paramref name="atUnixNs"/>, but neither stored nor dead-lettered; the stream holds it, and
    /// it was stored (or is redelivered and stored) by the durable consumer.
    /// </summary>
    public void Replay(in InboundMessage message, TopicSyntax syntax, long atUnixNs)
    {
        _partition = message.Partition;
        _sequence = message.StreamSequence;
        _replayAtNs = Math.Max(1, atUnixNs);
        try
        {
            var span = Contiguous(message.Payload);
            var result = _catalog.Decoder.Decode(message.Topic, syntax, span, _readings, message.ReceivedUnixNs);
            if (!result.IsSuccess || result.IsAvailability)
            {
                return;
            }

            for (var i = 0; i < _readings.Count; i++)
            {
                var reading = _readings[i];
                if (reading.FieldCount > 0 && _registry.TryObserve(reading, out _))
                {
                    reading.Partition = _partition;
                    reading.StreamSequence = _sequence;
                    _engine.Replay(reading, _replayAtNs);
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.ReplayFailed(_logger, message.Topic, ex.Message);
        }
        finally
        {
            _replayAtNs = 0;
        }
    }

    private void ProcessCore(string topic, TopicSyntax syntax, ReadOnlySequence<byte> payload, long receivedUnixNs, bool redelivered, bool replay, string? source, int partition)
    {
        _stats.MessageReceived(receivedUnixNs / 1_000_000L);
        if (payload.Length > _maxPayloadBytes)
        {
            _deadLetters.Rejected(topic, DecodeError.PayloadTooLarge, $"payload of {payload.Length} bytes exceeds Gateway:MaxPayloadBytes ({_maxPayloadBytes})", payload);
            return;
        }

        var span = Contiguous(payload);
        var result = _catalog.Decoder.Decode(topic, syntax, span, _readings, receivedUnixNs);
        var first = _readings.First;
        if (result.Warning is { } warning)
        {
            Log.DecodeWarning(_logger, topic, warning);
        }

        if (result.IsAvailability)
        {
            _stats.AvailabilityReceived();
            // A device known only from its availability messages still shows on the status page.
            if (first.Profile is null)
            {
                return;
            }

            if (_registry.TryRegister(first, out var device))
            {
                SetAvailability(device, result);
            }
            else
            {
                _deadLetters.Rejected(topic, DecodeError.DeviceLimitReached, $"a new device, and the gateway already tracks Pipeline:MaxDevices ({_registry.MaxDevices}) devices", span, span.Length);
            }

            return;
        }

        if (result.IsSuccess && first.Profile is { Source: { } own } p && source is not null && !string.Equals(own, source, StringComparison.Ordinal))
        {
            _deadLetters.Rejected(topic, DecodeError.NoMatchingProfile, $"profile {p.Id} belongs to source '{own}', this message came from source '{source}'", span, span.Length);
            return;
        }

        if (replay && result.IsSuccess && first.Profile?.Retained != RetainedPolicy.Replay)
        {
            _stats.RetainedSkipped();
            return;
        }

        if (!result.IsSuccess)
        {
            _deadLetters.Rejected(topic, result.Error, result.Detail ?? result.Error.ToString(), span, span.Length);
            return;
        }

        if (result.RejectedFields > 0)
        {
            _deadLetters.FieldsRejected(topic, result.RejectedFields, result.RejectionReason, result.RejectionDetail ?? "field rejected", span);
        }

        var availabilityPending = result.ChangesAvailability;
        for (var i = 0; i < _readings.Count; i++)
        {
            var reading = _readings[i];
            if (reading.FieldCount > 0)
            {
                ProcessReading(topic, span, reading, redelivered, replay, partition, in result, ref availabilityPending);
            }
        }
    }

    private void ProcessReading(string topic, ReadOnlySpan<byte> span, Reading reading, bool redelivered, bool replay, int partition, in DecodeResult result, ref bool availabilityPending)
    {
        if (!_registry.TryObserve(reading, out var state))
        {
            _deadLetters.Rejected(topic, DecodeError.DeviceLimitReached, $"a new device ({reading.DeviceId}), and the gateway already tracks Pipeline:MaxDevices ({_registry.MaxDevices}) devices", span, span.Length);
            return;
        }

        state.Partition = partition;

        if (availabilityPending)
        {
            // Telemetry that also says the device is up (a Sparkplug BIRTH): once per message.
            availabilityPending = false;
            SetAvailability(state, result);
        }

        if (_places is not null)
        {
            // The model's place tags (computed once per device and model) replace the topic's, before the rules and the
            // line see the reading, so alert labels and series both name the place.
            foreach (var tag in _places.Current.TagsOf(state))
            {
                reading.AddTag(tag.Key, tag.Value);
            }
        }

        _stats.ReadingDecoded();
        if (replay)
        {
            // A retained reading is old news: stored, but the rule engine (thresholds and staleness, both on receive time)
            // must not take it as the device speaking now.
            _stats.RetainedReplayed();
        }
        else
        {
            reading.Redelivered = redelivered;
            reading.Partition = _partition;
            reading.StreamSequence = _sequence;
            _engine.Evaluate(reading);
        }

        // Encoded apart and copied whole, so a failure half-way never leaves a torn line in the batch.
        _line.ResetWrittenCount();
        if (LineProtocolWriter.WriteReading(_line, reading, _catalog.Vocabulary))
        {
            var batch = _batches.Current;
            batch.Buffer.Write(_line.WrittenSpan);
            batch.Lines++;
        }
    }

    private void SetAvailability(DeviceState device, in DecodeResult result)
    {
        device.Availability = result.Availability;
        _engine.ObserveAvailability(device); // an "online" ends a staleness alert at once
        if (!result.AvailabilityIncludesChildren)
        {
            return;
        }

        // A Sparkplug edge node's death takes its devices (ids "<node>/<device>") with it; rare, so a snapshot is fine.
        foreach (var child in _registry.Snapshot())
        {
            if (ReferenceEquals(child.Profile, device.Profile) && child.DeviceId.Length > device.DeviceId.Length
                && child.DeviceId.StartsWith(device.DeviceId, StringComparison.Ordinal) && child.DeviceId[device.DeviceId.Length] == '/')
            {
                child.Availability = result.Availability;
                _engine.ObserveAvailability(child);
            }
        }
    }

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
}
