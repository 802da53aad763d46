using Microsoft.Extensions.Logging;

namespace SmartCity.IoT.Nats;

internal static partial class Log
{
    [LoggerMessage(EventId = 600, Level = LogLevel.Information, Message = "Source {Source}: consuming stream {Stream} on {Url} through {Consumers}")]
    public static partial void Consuming(ILogger logger, string source, string url, string stream, string consumers);

    [LoggerMessage(EventId = 601, Level = LogLevel.Warning, Message = "Source {Source}: cannot consume stream {Stream} on {Url}: {Reason}; retrying")]
    public static partial void StreamUnavailable(ILogger logger, string source, string url, string stream, string reason);

    [LoggerMessage(EventId = 602, Level = LogLevel.Warning, Message = "Source {Source}: an acknowledgement failed ({Reason}); the server redelivers after its ack wait")]
    public static partial void AckFailed(ILogger logger, string source, string reason);
}
