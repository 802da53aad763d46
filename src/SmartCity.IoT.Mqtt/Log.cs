using Microsoft.Extensions.Logging;

namespace SmartCity.IoT.Mqtt;

internal static partial class Log
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "MQTT source {Source} connected to {Endpoint} with MQTT {Protocol} (session present: {SessionPresent}), subscribed to {FilterCount} topic filters")]
    public static partial void Connected(ILogger logger, string source, string endpoint, string protocol, bool sessionPresent, int filterCount);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "MQTT source {Source} cannot connect: {Reason}. Retrying with backoff (next in {Delay}); logged again when the reason changes")]
    public static partial void ConnectFailed(ILogger logger, string source, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "MQTT source {Source} disconnected ({Reason}): {Detail}")]
    public static partial void Disconnected(ILogger logger, string source, string reason, string? detail);

    [LoggerMessage(EventId = 103, Level = LogLevel.Debug, Message = "MQTT acknowledgement for {Topic} not sent ({Reason}); the broker will redeliver it")]
    public static partial void AckFailed(ILogger logger, string topic, string reason);

    [LoggerMessage(EventId = 104, Level = LogLevel.Error, Message = "Message handler failed for {Topic}; left unacknowledged for redelivery")]
    public static partial void HandlerFailed(ILogger logger, string topic, Exception exception);

    [LoggerMessage(EventId = 105, Level = LogLevel.Debug, Message = "MQTT disconnect failed: {Reason}")]
    public static partial void DisconnectFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 106, Level = LogLevel.Debug, Message = "MQTT source {Source} connect attempt {Attempt} failed again: {Reason}")]
    public static partial void ConnectFailedAgain(ILogger logger, string source, int attempt, string reason);

    [LoggerMessage(EventId = 107, Level = LogLevel.Information, Message = "MQTT source {Source}: Mqtt:ProtocolVersion auto chose MQTT {Protocol} for {Endpoint} in {Elapsed:0} ms{Why}")]
    public static partial void AutoChose(ILogger logger, string source, string protocol, string endpoint, double elapsed, string why);

    [LoggerMessage(EventId = 108, Level = LogLevel.Information, Message = "MQTT source {Source} speaks MQTT 3.1.1 with {Endpoint}: persistent session (clean session off, client id {ClientId}), acknowledgement after the durable write and redelivery after a reconnect still hold; 3.1.1 has no Receive Maximum (the broker's own in-flight limit applies), no subscription options (retained messages are dropped by their retain flag unless the profile says retained: replay), no session expiry (the broker decides how long it keeps the session) and, on most brokers, no shared subscriptions")]
    public static partial void V311Limits(ILogger logger, string source, string endpoint, string clientId);

    [LoggerMessage(EventId = 109, Level = LogLevel.Warning, Message = "MQTT source {Source} subscribes at QoS 0 (at most once): messages published while the gateway is away or in flight when it crashes are lost, nothing is redelivered; the gateway counts what arrives (mqtt_messages_received{{qos=\"0\"}})")]
    public static partial void AtMostOnce(ILogger logger, string source);

    [LoggerMessage(EventId = 111, Level = LogLevel.Warning, Message = "MQTT source {Source}: {Problem}")]
    public static partial void SubscriptionProblem(ILogger logger, string source, string problem);

    [LoggerMessage(EventId = 110, Level = LogLevel.Information, Message = "Embedded MQTT broker listening on {Endpoints} only (demo mode; set Mqtt:Host to use a real broker)")]
    public static partial void EmbeddedStarted(ILogger logger, string endpoints);

    [LoggerMessage(EventId = 112, Level = LogLevel.Warning, Message = "Embedded MQTT broker listens beyond loopback ({Endpoints}) and asks for no credentials: anyone who reaches it can publish readings. Set Mqtt:EmbeddedBindAddress to 127.0.0.1, or use a real broker with accounts and ACLs")]
    public static partial void EmbeddedBeyondLoopback(ILogger logger, string endpoints);

    [LoggerMessage(EventId = 113, Level = LogLevel.Warning, Message = "MQTT source {Source}: {Setting}=true - the certificate of {Endpoint} is NOT checked, so anyone on the network path can pose as the broker, read every reading and inject false ones. Use only against a throw-away test broker; set {Setting} off and give the broker's CA in Mqtt:Tls:CaFile")]
    public static partial void InsecureTls(ILogger logger, string source, string setting, string endpoint);
}
