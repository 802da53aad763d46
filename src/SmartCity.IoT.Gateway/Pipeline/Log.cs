using Microsoft.Extensions.Logging;
using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Core.Decoding;

namespace SmartCity.IoT.Gateway.Pipeline;

internal static partial class Log
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Warning, Message = "Rejected message on '{Topic}' ({Reason}): {Detail}. Kept in the dead-letter folder; further {Reason} rejections on this topic are only counted")]
    public static partial void MessageRejected(ILogger logger, string topic, DecodeError reason, string detail);

    [LoggerMessage(EventId = 201, Level = LogLevel.Warning, Message = "Dropped a field of a reading on '{Topic}': {Detail}. The rest of the reading was kept; further cases on this topic are only counted")]
    public static partial void FieldRejected(ILogger logger, string topic, string detail);

    [LoggerMessage(EventId = 202, Level = LogLevel.Error, Message = "Could not write a dead-letter record for '{Topic}': {Reason}")]
    public static partial void DeadLetterFailed(ILogger logger, string topic, string reason);

    [LoggerMessage(EventId = 203, Level = LogLevel.Error, Message = "Processing failed for a message on '{Topic}'; it was dead-lettered and the stream goes on")]
    public static partial void ProcessingFailed(ILogger logger, string topic, Exception exception);

    [LoggerMessage(EventId = 210, Level = LogLevel.Information, Message = "Alert {Status} [{Severity}] {Rule} on {Device}: {Summary}")]
    public static partial void AlertTransition(ILogger logger, AlertStatus status, AlertSeverity severity, string rule, string device, string summary);

    [LoggerMessage(EventId = 211, Level = LogLevel.Error, Message = "The alert outbox refused {Count} transitions; their messages are not acknowledged, retrying in {Delay}")]
    public static partial void AlertCommitFailed(ILogger logger, int count, TimeSpan delay, Exception exception);

    [LoggerMessage(EventId = 212, Level = LogLevel.Error, Message = "Sink {Sink} failed to write a batch of {Lines} lines; nothing of it is acknowledged, retrying in {Delay}")]
    public static partial void SinkFailed(ILogger logger, string sink, int lines, TimeSpan delay, Exception exception);

    [LoggerMessage(EventId = 213, Level = LogLevel.Information, Message = "The sinks have taken no batch for {HoldAfter}: reading and evaluating up to {MaxHeld} more messages without acknowledging them, so alerts keep going out; rule timers (staleness) pause meanwhile")]
    public static partial void HoldingReadings(ILogger logger, TimeSpan holdAfter, int maxHeld);

    [LoggerMessage(EventId = 214, Level = LogLevel.Information, Message = "The sinks take batches again: every held message has gone to them")]
    public static partial void HoldEnded(ILogger logger);

    [LoggerMessage(EventId = 204, Level = LogLevel.Warning, Message = "Message on '{Topic}': {Warning}")]
    public static partial void DecodeWarning(ILogger logger, string topic, string warning);

    [LoggerMessage(EventId = 215, Level = LogLevel.Warning, Message = "Replaying '{Topic}' into the rules failed, the message is skipped: {Reason}")]
    public static partial void ReplayFailed(ILogger logger, string topic, string reason);
}
