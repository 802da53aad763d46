using Microsoft.Extensions.Logging;

namespace SmartCity.IoT.Nats;

internal static partial class Log
{
    [LoggerMessage(EventId = 600, Level = LogLevel.Information, Message = "Source {Source}: consuming stream {Stream} on {Url} through {Consumer}")]
    public static partial void Consuming(ILogger logger, string source, string url, string stream, string consumer);

    [LoggerMessage(EventId = 601, Level = LogLevel.Warning, Message = "Source {Source}: cannot consume stream {Stream} on {Url}: {Reason}; retrying")]
    public static partial void StreamUnavailable(ILogger logger, string source, string url, string stream, string reason);

    [LoggerMessage(EventId = 602, Level = LogLevel.Warning, Message = "Source {Source}: an acknowledgement failed ({Reason}); the server redelivers after its ack wait")]
    public static partial void AckFailed(ILogger logger, string source, string reason);

    [LoggerMessage(EventId = 603, Level = LogLevel.Information, Message = "Source {Source}: instance {Instance} owns partition {Partition} and consumes it")]
    public static partial void PartitionAcquired(ILogger logger, string source, string instance, int partition);

    [LoggerMessage(EventId = 604, Level = LogLevel.Information, Message = "Source {Source}: instance {Instance} stopped consuming partition {Partition} ({Reason}; {Abandoned} handed over and not acknowledged, left for redelivery)")]
    public static partial void PartitionStopped(ILogger logger, string source, string instance, int partition, string reason, int abandoned);

    [LoggerMessage(EventId = 605, Level = LogLevel.Information, Message = "Source {Source}: instance {Instance} gave partition {Partition} back")]
    public static partial void PartitionReleased(ILogger logger, string source, string instance, int partition);

    [LoggerMessage(EventId = 606, Level = LogLevel.Warning, Message = "Source {Source}: instance {Instance}: {Reason}")]
    public static partial void LeaseRefreshFailed(ILogger logger, string source, string instance, string reason);

    [LoggerMessage(EventId = 607, Level = LogLevel.Information, Message = "Source {Source}: instance {Instance} gave every lease back")]
    public static partial void LeasesReleased(ILogger logger, string source, string instance);

    [LoggerMessage(EventId = 608, Level = LogLevel.Error, Message = "Source {Source}: a partition observer failed the {Step} of partition {Partition}; it is not consumed until it succeeds")]
    public static partial void ObserverFailed(ILogger logger, string source, int partition, string step, Exception exception);

    [LoggerMessage(EventId = 609, Level = LogLevel.Warning, Message = "Source {Source}: a message on {Subject} came with reply '{Reply}', which is not a JetStream acknowledgement subject: it is handled, but its acknowledgement cannot reach the server and it will be redelivered (logged once per partition run)")]
    public static partial void UnreadableReply(ILogger logger, string source, string subject, string reply);

    [LoggerMessage(EventId = 610, Level = LogLevel.Information, Message = "Source {Source}: partition {Partition}'s consumer had {Pending} messages handed to an earlier run and not acknowledged: made again from stream sequence {From}, so they come now rather than after the ack wait")]
    public static partial void ConsumerRewound(ILogger logger, string source, int partition, long pending, ulong from);
}
