using System.Globalization;

namespace SmartCity.IoT.IntegrationTests.Infrastructure;

/// <summary>
/// Certificates made by the test with <c>openssl</c>, as a site's administrator would make them: CAs, server
/// certificates for 127.0.0.1 and localhost, client certificates, expired ones (<c>-days -1</c>). EC P-256 keys in PEM.
/// </summary>
internal sealed class TestPki(string dir)
{
    public string Dir { get; } = dir;

    /// <summary>A self-signed CA; returns the certificate's path (its key is next to it).</summary>
    public string Ca(string name)
    {
        var cert = Path.Combine(Dir, name + ".pem");
        OpenSsl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", KeyOf(cert), "-out", cert,
            "-subj", $"/CN={name}", "-days", "2", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        return cert;
    }

    /// <summary>A server (<paramref name="client"/> false) or client certificate issued by <paramref name="caCert"/>; negative days make it expired.</summary>
    public (string Cert, string Key) Issue(string caCert, string name, bool client, int days = 2)
    {
        var cert = Path.Combine(Dir, name + ".pem");
        var key = KeyOf(cert);
        var csr = Path.Combine(Dir, name + ".csr");
        var ext = Path.Combine(Dir, name + ".ext");
        File.WriteAllText(ext, client
            ? "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n"
            : "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n");
        OpenSsl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", csr, "-subj", $"/CN={name}");
        OpenSsl("x509", "-req", "-in", csr, "-CA", caCert, "-CAkey", KeyOf(caCert), "-set_serial", Random.Shared.NextInt64(1, long.MaxValue).ToString(CultureInfo.InvariantCulture),
            "-out", cert, "-days", days.ToString(CultureInfo.InvariantCulture), "-extfile", ext);
        return (cert, key);
    }

    /// <summary>What <c>openssl</c> says the SHA-256 of the certificate's SubjectPublicKeyInfo is, base64 (the usual pin).</summary>
    public string SpkiPin(string cert)
    {
        var der = Path.Combine(Dir, Path.GetFileNameWithoutExtension(cert) + ".spki.der");
        OpenSsl("pkey", "-pubin", "-in", Extract(cert), "-outform", "DER", "-out", der);
        return Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(der)));
    }

    private string Extract(string cert)
    {
        var pub = Path.Combine(Dir, Path.GetFileNameWithoutExtension(cert) + ".pub.pem");
        OpenSsl("x509", "-in", cert, "-pubkey", "-noout", "-out", pub);
        return pub;
    }

    public static string KeyOf(string cert) => Path.ChangeExtension(cert, ".key");

    private static void OpenSsl(params string[] arguments) => TlsMosquitto.Run("/usr/bin/openssl", arguments);
}
