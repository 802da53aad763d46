namespace SmartCity.IoT.Gateway.Security;

/// <summary><c>Http:Tls</c>: the certificate for https:// URLs, or the statement that a proxy in front terminates TLS.</summary>
internal sealed class HttpTlsOptions
{
    /// <summary>A PEM certificate (with <see cref="KeyFile"/>) or a PFX/PKCS#12 file (with <see cref="PasswordFile"/> if it has a password).</summary>
    public string? CertificateFile { get; set; }

    /// <summary>The PEM private key; unset for a PFX, or when the PEM certificate file holds the key too.</summary>
    public string? KeyFile { get; set; }

    /// <summary>A file holding the PFX password or the password of an encrypted PEM key.</summary>
    public string? PasswordFile { get; set; }

    /// <summary>Plain http:// on a non-loopback address is allowed because a TLS-terminating proxy is in front.</summary>
    public bool TerminatedByProxy { get; set; }
}
