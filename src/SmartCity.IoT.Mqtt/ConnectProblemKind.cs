namespace SmartCity.IoT.Mqtt;

/// <summary>Why a connect failed, as far as what the user should change.</summary>
internal enum ConnectProblemKind
{
    /// <summary>The broker refused the protocol version, or closed the connection in answer to an MQTT 5 CONNECT.</summary>
    ProtocolVersion,
    Credentials,
    ClientId,
    NotAuthorized,
    BrokerUnavailable,
    UseAnotherServer,
    Refused,
    ClosedDuringConnect,
    Unreachable,
    Tls,
    Timeout,
    Subscription,
}
