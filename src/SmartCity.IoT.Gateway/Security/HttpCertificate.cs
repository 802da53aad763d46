using System.Security.Cryptography.X509Certificates;

namespace SmartCity.IoT.Gateway.Security;

/// <summary>Loads the page's certificate from <see cref="HttpTlsOptions"/>: PEM certificate and key, or a PFX.</summary>
internal static class HttpCertificate
{
    public static X509Certificate2 Load(HttpTlsOptions tls)
    {
        var certFile = tls.CertificateFile ?? throw new InvalidOperationException("Http:Tls:CertificateFile is not set");
        var password = tls.PasswordFile is { Length: > 0 } pf ? SecretFile.Read(pf, "Http:Tls:PasswordFile") : null;
        var ext = Path.GetExtension(certFile).ToLowerInvariant();
        if (ext is ".pfx" or ".p12")
        {
            return X509CertificateLoader.LoadPkcs12FromFile(certFile, password, X509KeyStorageFlags.EphemeralKeySet);
        }

        var keyFile = tls.KeyFile is { Length: > 0 } k ? k : certFile;
        var cert = password is null ? X509Certificate2.CreateFromPemFile(certFile, keyFile) : X509Certificate2.CreateFromEncryptedPemFile(certFile, password, keyFile);
        return cert.HasPrivateKey ? cert : throw new InvalidOperationException($"{certFile}: no private key (set Http:Tls:KeyFile)");
    }
}
