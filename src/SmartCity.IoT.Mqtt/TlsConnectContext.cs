namespace SmartCity.IoT.Mqtt;

/// <summary>What a TLS connection showed the broker, so that a handshake the broker broke off can be explained.</summary>
/// <param name="Settings">The TLS settings' prefix, such as <c>Mqtt:Tls</c>.</param>
/// <param name="SentClientCertificate">Whether a client certificate was configured.</param>
/// <param name="ClientCertificateFile">Its file, for messages.</param>
/// <param name="ServerAccepted">Whether the broker's certificate passed: a connection lost after that was cut by the broker.</param>
internal sealed record TlsConnectContext(string Settings, bool SentClientCertificate, string? ClientCertificateFile, bool ServerAccepted);
