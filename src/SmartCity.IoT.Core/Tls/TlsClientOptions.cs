namespace SmartCity.IoT.Core.Tls;

/// <summary>
/// How the gateway checks a server it connects to over TLS and proves who it is (sections <c>Mqtt:Tls</c>,
/// <c>Mqtt:Sources:N:Tls</c> and <c>Influx:Tls</c>). Every file is PEM and is checked at start.
/// </summary>
public sealed class TlsClientOptions
{
    /// <summary>CA certificate(s) the server's certificate must chain to, instead of the system's CA store.</summary>
    public string? CaFile { get; set; }

    /// <summary>Client certificate for mutual TLS; its key comes from <see cref="ClientKeyFile"/> or from this same file.</summary>
    public string? ClientCertificateFile { get; set; }

    /// <summary>Unencrypted private key (PKCS#8, PKCS#1 or SEC1 PEM) of <see cref="ClientCertificateFile"/>.</summary>
    public string? ClientKeyFile { get; set; }

    /// <summary>Name the server's certificate must carry (and, for MQTT over TCP, the SNI name) when it differs from the host connected to.</summary>
    public string? ServerName { get; set; }

    /// <summary>
    /// SHA-256 pins, any of which the server's certificate must match in addition to the normal checks: of its
    /// SubjectPublicKeyInfo (survives renewal with the same key) or of the whole certificate, as hex (colons allowed) or
    /// base64, optionally prefixed <c>sha256/</c>. List the next key's pin too before rotating.
    /// </summary>
    public string[] PinnedSha256 { get; set; } = [];

    /// <summary>Turns every check of the server's certificate off. Only for a throw-away test broker; logged as a warning at start.</summary>
    public bool InsecureSkipVerify { get; set; }

    /// <summary>Whether anything beyond the defaults (system CA store, host name check) is configured.</summary>
    public bool IsCustomized =>
        !string.IsNullOrWhiteSpace(CaFile) || !string.IsNullOrWhiteSpace(ClientCertificateFile) || !string.IsNullOrWhiteSpace(ClientKeyFile)
        || !string.IsNullOrWhiteSpace(ServerName) || PinnedSha256.Length > 0 || InsecureSkipVerify;
}
