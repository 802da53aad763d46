using Microsoft.Extensions.Logging;

namespace SmartCity.IoT.Mqtt;

internal static partial class Log
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "MQTT connected to {Host}:{Port} (session present: {SessionPresent}), subscribed to {FilterCount} topic filters")]
    public static partial void Connected(ILogger logger, string host, int port, bool sessionPresent, int filterCount);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "MQTT connect to {Host}:{Port} failed (attempt {Attempt}), retrying in {Delay}: {Reason}")]
    public static partial void ConnectFailed(ILogger logger, string host, int port, int attempt, TimeSpan delay, string reason);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "MQTT disconnected ({Reason}): {Detail}")]
    public static partial void Disconnected(ILogger logger, string reason, string? detail);

    [LoggerMessage(EventId = 103, Level = LogLevel.Debug, Message = "MQTT acknowledgement for {Topic} not sent ({Reason}); the broker will redeliver it")]
    public static partial void AckFailed(ILogger logger, string topic, string reason);

    [LoggerMessage(EventId = 104, Level = LogLevel.Error, Message = "Message handler failed for {Topic}; left unacknowledged for redelivery")]
    public static partial void HandlerFailed(ILogger logger, string topic, Exception exception);

    [LoggerMessage(EventId = 105, Level = LogLevel.Debug, Message = "MQTT disconnect failed: {Reason}")]
    public static partial void DisconnectFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 110, Level = LogLevel.Information, Message = "Embedded MQTT broker listening on {Address}:{Port} (demo mode; set Mqtt:Host to use a real broker)")]
    public static partial void EmbeddedStarted(ILogger logger, string address, int port);
}
