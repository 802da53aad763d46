namespace SmartCity.IoT.Mqtt;

/// <summary>
/// TLS alerts the broker sends when it refuses the gateway's side of the handshake (mutual TLS). .NET reports them only
/// as OpenSSL's text ("tlsv13 alert certificate required") somewhere in the exception chain; with TLS 1.3 the alert
/// comes after the client's handshake finished, so it can surface as a failed read of the CONNACK.
/// </summary>
internal static class TlsErrors
{
    public static ConnectProblem? FromBrokerAlert(Exception exception, string endpoint, TlsConnectContext tls)
    {
        var text = string.Join(" | ", Chain(exception).Select(e => e.Message)).ToLowerInvariant();
        var cert = $"{tls.Settings}:ClientCertificateFile";
        var sent = tls.SentClientCertificate ? $"the client certificate in {cert} '{tls.ClientCertificateFile}'" : "no client certificate";
        if (text.Contains("alert certificate required", StringComparison.Ordinal) || (!tls.SentClientCertificate && text.Contains("alert handshake failure", StringComparison.Ordinal)))
        {
            return new(ConnectProblemKind.Tls, $"{endpoint} requires a client certificate (mutual TLS) and the gateway sent {sent}: set {cert} and {tls.Settings}:ClientKeyFile to a certificate the broker's CA issued");
        }

        if (text.Contains("alert unknown ca", StringComparison.Ordinal))
        {
            return new(ConnectProblemKind.Tls, $"{endpoint} does not trust {sent} (TLS alert: unknown CA): use a client certificate issued by the CA the broker's listener names (Mosquitto: cafile)");
        }

        if (text.Contains("alert certificate expired", StringComparison.Ordinal))
        {
            return new(ConnectProblemKind.Tls, $"{endpoint} refused {sent}: it has expired (TLS alert: certificate expired); renew it");
        }

        if (text.Contains("alert certificate revoked", StringComparison.Ordinal))
        {
            return new(ConnectProblemKind.Tls, $"{endpoint} refused {sent}: its CA has revoked it (TLS alert: certificate revoked)");
        }

        if (text.Contains("alert bad certificate", StringComparison.Ordinal) || text.Contains("alert unsupported certificate", StringComparison.Ordinal) || text.Contains("alert access denied", StringComparison.Ordinal))
        {
            return new(ConnectProblemKind.Tls, $"{endpoint} refused {sent} (TLS alert: {Alert(text)}): check that the broker's CA issued it for client authentication");
        }

        return null;
    }

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }

    private static string Alert(string text)
    {
        var at = text.IndexOf("alert ", StringComparison.Ordinal);
        var end = at < 0 ? -1 : text.IndexOfAny(['|', '.', '\n'], at);
        return at < 0 ? "refused" : (end < 0 ? text[(at + 6)..] : text[(at + 6)..end]).Trim();
    }
}
