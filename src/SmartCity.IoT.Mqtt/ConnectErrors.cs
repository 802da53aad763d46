using System.Net.Sockets;
using System.Security.Authentication;
using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;

namespace SmartCity.IoT.Mqtt;

/// <summary>
/// Translates CONNACK reason codes (MQTT 5), return codes (MQTT 3.1.1), SUBACK failures and the ways a connect breaks off
/// into what the user should change. A 3.1.1-only broker that is sent an MQTT 5 CONNECT either answers with return code 1
/// in 3.1.1 form (read as a raw value 1..5 by an MQTT 5 decoder: nats-server) or closes the connection (RabbitMQ).
/// </summary>
internal static class ConnectErrors
{
    public const string SetVersion = "set Mqtt:ProtocolVersion to auto or 3.1.1";

    /// <param name="username">The user the gateway logged in as, if any: brokers such as Mosquitto answer a wrong password with "not authorized".</param>
    public static ConnectProblem FromResult(MqttClientConnectResult result, MqttProtocolVersion sent, string endpoint, string? username = null)
    {
        var code = (int)result.ResultCode;
        var why = string.IsNullOrEmpty(result.ReasonString) ? "" : $" (the broker says: {result.ReasonString})";
        if (sent == MqttProtocolVersion.V500 && code is >= 1 and <= 5)
        {
            // An answer in 3.1.1 form: the broker does not speak MQTT 5.
            return new(ConnectProblemKind.ProtocolVersion, $"this broker ({endpoint}) speaks MQTT 3.1.1 only (it answered an MQTT 5 connect with 3.1.1 return code {code}): {SetVersion}");
        }

        return result.ResultCode switch
        {
            MqttClientConnectResultCode.UnsupportedProtocolVersion when sent == MqttProtocolVersion.V500 =>
                new(ConnectProblemKind.ProtocolVersion, $"this broker ({endpoint}) refuses MQTT 5: {SetVersion}{why}"),
            MqttClientConnectResultCode.UnsupportedProtocolVersion =>
                new(ConnectProblemKind.ProtocolVersion, $"this broker ({endpoint}) refuses MQTT 3.1.1: set Mqtt:ProtocolVersion to auto or 5{why}"),
            MqttClientConnectResultCode.BadUserNameOrPassword =>
                new(ConnectProblemKind.Credentials, $"username or password rejected by {endpoint}: check Mqtt:Username and Mqtt:Password (or Mqtt:PasswordFile){why}"),
            MqttClientConnectResultCode.BadAuthenticationMethod =>
                new(ConnectProblemKind.Credentials, $"{endpoint} does not accept this way of authenticating: check Mqtt:Username and Mqtt:Password, or the broker's authentication plugin{why}"),
            MqttClientConnectResultCode.NotAuthorized when !string.IsNullOrEmpty(username) =>
                new(ConnectProblemKind.Credentials, $"{endpoint} refused user '{username}' (not authorized): the password is wrong or the user may not connect; check Mqtt:Username and Mqtt:Password (or Mqtt:PasswordFile), and the broker's access rules{why}"),
            MqttClientConnectResultCode.NotAuthorized =>
                new(ConnectProblemKind.NotAuthorized, $"{endpoint} does not let this user connect (not authorized): allow the user or client id in the broker's access rules, or use other credentials{why}"),
            MqttClientConnectResultCode.Banned =>
                new(ConnectProblemKind.NotAuthorized, $"{endpoint} has banned this client: lift the ban on the broker{why}"),
            MqttClientConnectResultCode.ClientIdentifierNotValid =>
                new(ConnectProblemKind.ClientId, $"client id rejected by {endpoint}: set Mqtt:ClientId to one the broker accepts (some allow only 1-23 letters and digits, or require a registered id){why}"),
            MqttClientConnectResultCode.ServerUnavailable or MqttClientConnectResultCode.ServerBusy or MqttClientConnectResultCode.ConnectionRateExceeded or MqttClientConnectResultCode.QuotaExceeded =>
                new(ConnectProblemKind.BrokerUnavailable, $"{endpoint} is up but not taking connections now ({Name(result.ResultCode)}); the gateway keeps retrying{why}"),
            MqttClientConnectResultCode.UseAnotherServer or MqttClientConnectResultCode.ServerMoved =>
                new(ConnectProblemKind.UseAnotherServer, $"{endpoint} asks clients to use another server{(string.IsNullOrEmpty(result.ServerReference) ? "" : $" ({result.ServerReference})")}: point Mqtt:Host at it{why}"),
            MqttClientConnectResultCode.PacketTooLarge or MqttClientConnectResultCode.MalformedPacket or MqttClientConnectResultCode.ProtocolError or MqttClientConnectResultCode.TopicNameInvalid or MqttClientConnectResultCode.PayloadFormatInvalid or MqttClientConnectResultCode.RetainNotSupported or MqttClientConnectResultCode.QoSNotSupported =>
                new(ConnectProblemKind.Refused, $"{endpoint} refused the connect request ({Name(result.ResultCode)}); if it is an older broker, {SetVersion}{why}"),
            _ => new(ConnectProblemKind.Refused, $"{endpoint} refused the connection ({Name(result.ResultCode)}){why}"),
        };
    }

    public static ConnectProblem FromException(Exception exception, MqttProtocolVersion sent, string endpoint, bool auto, TlsConnectContext? tls = null)
    {
        if (tls is not null && TlsErrors.FromBrokerAlert(exception, endpoint, tls) is { } alert)
        {
            return alert;
        }

        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case SocketException { SocketErrorCode: SocketError.ConnectionRefused }:
                    return new(ConnectProblemKind.Unreachable, $"nothing listens on {endpoint} (connection refused): check Mqtt:Host and Mqtt:Port, and that the broker runs");
                case SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain }:
                    return new(ConnectProblemKind.Unreachable, $"host of {endpoint} not found: check Mqtt:Host");
                case SocketException { SocketErrorCode: SocketError.TimedOut or SocketError.HostUnreachable or SocketError.NetworkUnreachable } s:
                    return new(ConnectProblemKind.Unreachable, $"{endpoint} cannot be reached ({s.SocketErrorCode}): check the network path and firewall");
                case AuthenticationException a:
                    return new(ConnectProblemKind.Tls, $"TLS with {endpoint} failed ({a.Message}): check Mqtt:UseTls, the port (a plain MQTT listener does not speak TLS), and the broker's certificate");
                case MqttCommunicationTimedOutException or TimeoutException:
                    return new(ConnectProblemKind.Timeout, $"{endpoint} did not answer the connect in time: check that the port is an MQTT listener (not TLS when Mqtt:UseTls is off, or the reverse)");
            }
        }

        var closed = IsClosedDuringConnect(exception);
        if (tls is { ServerAccepted: true } && (closed ? !(sent == MqttProtocolVersion.V500 && !auto) : IsConnectionLost(exception)))
        {
            // The broker's certificate was fine and the broker then hung up without a CONNACK: under mutual TLS that is
            // how a refused client certificate looks when its TLS alert is lost with the connection.
            return TlsErrors.ClosedAfterHandshake(endpoint, tls);
        }

        if (closed)
        {
            return sent == MqttProtocolVersion.V500 && !auto
                ? new(ConnectProblemKind.ProtocolVersion, $"{endpoint} closed the connection in answer to an MQTT 5 connect, as MQTT 3.1.1-only brokers such as RabbitMQ do: {SetVersion} (if it does speak MQTT 5, it rejected the credentials or client id without saying so)")
                : new(ConnectProblemKind.ClosedDuringConnect, $"{endpoint} closed the connection during connect without an answer{(auto ? " under both MQTT 5 and 3.1.1" : "")}: it most likely rejected the username, password or client id (Mqtt:Username, Mqtt:Password, Mqtt:ClientId), or the port is not an MQTT listener");
        }

        return new(ConnectProblemKind.Refused, $"connect to {endpoint} failed: {exception.GetBaseException().Message}");
    }

    private static bool IsConnectionLost(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is MqttCommunicationException or IOException or SocketException or ObjectDisposedException)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The broker hung up after the TCP (or WebSocket) connection was made and before it sent a CONNACK.</summary>
    public static bool IsClosedDuringConnect(Exception exception)
    {
        if (exception is not MqttConnectingFailedException)
        {
            // Anything thrown before the CONNECT was sent (the socket did not connect) is not a broker's answer.
            return exception.InnerException is MqttConnectingFailedException inner && IsClosedDuringConnect(inner);
        }

        for (var e = exception.InnerException; e is not null; e = e.InnerException)
        {
            if (e is MqttCommunicationException or IOException or SocketException or ObjectDisposedException)
            {
                return true;
            }
        }

        return false;
    }

    public static ConnectProblem FromSubscribe(MqttClientSubscribeResultItem item, MqttProtocolVersion version, string endpoint)
    {
        var filter = item.TopicFilter.Topic;
        return item.ResultCode switch
        {
            MqttClientSubscribeResultCode.NotAuthorized =>
                new(ConnectProblemKind.Subscription, $"not authorized for topic '{filter}' on {endpoint}: give the gateway's user read access to it in the broker's access rules, or change Mqtt:Topics"),
            MqttClientSubscribeResultCode.SharedSubscriptionsNotSupported =>
                new(ConnectProblemKind.Subscription, $"{endpoint} does not support shared subscriptions ('{filter}'): unset Mqtt:SharedGroup"),
            MqttClientSubscribeResultCode.WildcardSubscriptionsNotSupported =>
                new(ConnectProblemKind.Subscription, $"{endpoint} does not allow wildcard subscriptions ('{filter}'): list exact topics in Mqtt:Topics"),
            MqttClientSubscribeResultCode.TopicFilterInvalid =>
                new(ConnectProblemKind.Subscription, $"{endpoint} finds topic filter '{filter}' invalid: check Mqtt:Topics and the profiles' topics"),
            _ when version == MqttProtocolVersion.V311 && filter.StartsWith("$share/", StringComparison.Ordinal) =>
                new(ConnectProblemKind.Subscription, $"{endpoint} refused the shared subscription '{filter}' (most MQTT 3.1.1 brokers have none): unset Mqtt:SharedGroup"),
            _ when version == MqttProtocolVersion.V311 =>
                new(ConnectProblemKind.Subscription, $"not authorized for topic '{filter}' on {endpoint}, or the filter is refused (MQTT 3.1.1 gives no reason): check the user's read access in the broker's access rules"),
            _ => new(ConnectProblemKind.Subscription, $"{endpoint} refused the subscription to '{filter}' ({item.ResultCode})"),
        };
    }

    private static string Name(MqttClientConnectResultCode code) =>
        Enum.IsDefined(code) ? code.ToString() : $"code {(int)code}";
}
