using System.Buffers;
using Microsoft.Extensions.Options;
using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Core.LineProtocol;
using SmartCity.IoT.Core.Model;
using SmartCity.IoT.Core.Pipeline;
using SmartCity.IoT.Devices;
using SmartCity.IoT.Gateway.Hosting;
using SmartCity.IoT.Rules.Engine;

namespace SmartCity.IoT.Gateway.Pipeline;

/// <summary>
/// Decode and evaluate: one message's payload through its device profile into a reading, the reading through the rule
/// engine, and its line protocol into the open batch. The hot path: nothing is allocated per good reading. Called only
/// under the pipeline's gate, so it keeps one reading and one line buffer for all messages.
/// </summary>
internal sealed class MessageProcessor
{
    private readonly DeviceCatalog _catalog;
    private readonly DeviceRegistry _registry;
    private readonly RuleEngine _engine;
    private readonly BatchAssembler _batches;
    private readonly DeadLetterPolicy _deadLetters;
    private readonly PipelineStats _stats;
    private readonly int _maxPayloadBytes;
    private readonly Reading _reading;
    private readonly ArrayBufferWriter<byte> _line = new(1024);
    private byte[] _scratch = new byte[4096];

    public MessageProcessor(DeviceCatalog catalog, DeviceRegistry registry, RuleEngine engine, BatchAssembler batches, DeadLetterPolicy deadLetters, PipelineStats stats, IOptions<GatewayOptions> options)
    {
        _catalog = catalog;
        _registry = registry;
        _engine = engine;
        _batches = batches;
        _deadLetters = deadLetters;
        _stats = stats;
        _maxPayloadBytes = options.Value.MaxPayloadBytes;
        _reading = catalog.CreateReading();
    }

    /// <summary>Processes one message; a failure of its own (a bug) dead-letters it instead of stalling the stream.</summary>
    public void Process(in InboundMessage message, TopicSyntax syntax)
    {
        try
        {
            ProcessCore(message.Topic, syntax, message.Payload, message.ReceivedUnixNs, message.IsReplay, message.Token.Source?.Name);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _deadLetters.Failed(message.Topic, ex, message.Payload);
        }
    }

    private void ProcessCore(string topic, TopicSyntax syntax, ReadOnlySequence<byte> payload, long receivedUnixNs, bool replay, string? source)
    {
        _stats.MessageReceived(receivedUnixNs / 1_000_000L);
        if (payload.Length > _maxPayloadBytes)
        {
            _deadLetters.Rejected(topic, DecodeError.PayloadTooLarge, $"payload of {payload.Length} bytes exceeds Gateway:MaxPayloadBytes ({_maxPayloadBytes})", payload);
            return;
        }

        var span = Contiguous(payload);
        var result = _catalog.Decoder.Decode(topic, syntax, span, _reading, receivedUnixNs);
        if (result.IsAvailability)
        {
            _stats.AvailabilityReceived();
            if (_reading.Profile is { } profile && _registry.TryFind(profile, _reading.DeviceId.Span, out var device))
            {
                device.Online = result.Online;
                _engine.ObserveAvailability(device); // an "online" ends a staleness alert at once
            }

            return;
        }

        if (result.IsSuccess && _reading.Profile is { Source: { } own } p && source is not null && !string.Equals(own, source, StringComparison.Ordinal))
        {
            _deadLetters.Rejected(topic, DecodeError.NoMatchingProfile, $"profile {p.Id} belongs to source '{own}', this message came from source '{source}'", span, span.Length);
            return;
        }

        if (replay && result.IsSuccess && _reading.Profile?.Retained != RetainedPolicy.Replay)
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

        if (!_registry.TryObserve(_reading, out _))
        {
            _deadLetters.Rejected(topic, DecodeError.DeviceLimitReached, $"a new device, and the gateway already tracks Pipeline:MaxDevices ({_registry.MaxDevices}) devices", span, span.Length);
            return;
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
            _engine.Evaluate(_reading);
        }


        // Encoded apart and copied whole, so a failure half-way never leaves a torn line in the batch.
        _line.ResetWrittenCount();
        if (LineProtocolWriter.WriteReading(_line, _reading, _catalog.Vocabulary))
        {
            var batch = _batches.Current;
            batch.Buffer.Write(_line.WrittenSpan);
            batch.Lines++;
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
