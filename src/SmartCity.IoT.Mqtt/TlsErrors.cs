namespace SmartCity.IoT.Mqtt;

/// <summary>
/// The broker refusing the gateway's side of a TLS handshake (mutual TLS). .NET reports the broker's TLS alert only as
/// OpenSSL's text ("tlsv13 alert certificate required") somewhere in the exception chain, and under TLS 1.3 the alert
/// comes after the client's half of the handshake, so it is often lost with the connection: a broker that accepted the
/// gateway's check of its certificate and then hung up before any MQTT answer is read the same way. Both give one
/// text per situation, so a retried failure is logged once.
/// </summary>
internal static class TlsErrors
{
    private static readonly string[] ClientCertificateAlerts =
        ["alert certificate required", "alert handshake failure", "alert unknown ca", "alert bad certificate", "alert certificate expired", "alert certificate revoked", "alert unsupported certificate", "alert access denied"];

    /// <summary>A TLS alert about the client's certificate, in plain words; null when there is none.</summary>
    public static ConnectProblem? FromBrokerAlert(Exception exception, string endpoint, TlsConnectContext tls)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (ClientCertificateAlerts.Any(a => e.Message.Contains(a, StringComparison.OrdinalIgnoreCase)))
            {
                return ClosedAfterHandshake(endpoint, tls);
            }
        }

        return null;
    }

    /// <summary>The broker ended the connection right after the handshake, before any MQTT answer.</summary>
    public static ConnectProblem ClosedAfterHandshake(string endpoint, TlsConnectContext tls)
    {
        var cert = $"{tls.Settings}:ClientCertificateFile";
        return tls.SentClientCertificate
            ? new(ConnectProblemKind.Tls, $"{endpoint} refused the client certificate in {cert} '{tls.ClientCertificateFile}' (it ended the TLS connection right after the handshake): use one issued by the CA its listener trusts (Mosquitto: cafile), within its validity dates and not revoked")
            : new(ConnectProblemKind.Tls, $"{endpoint} ended the TLS connection right after the handshake and the gateway sent no client certificate: its listener requires one (mutual TLS; Mosquitto: require_certificate true): set {cert} and {tls.Settings}:ClientKeyFile");
    }
}
