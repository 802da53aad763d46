using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SmartCity.IoT.Core.Tls;

/// <summary>
/// The certificates, key and pins of one <see cref="TlsClientOptions"/>, read and checked once at start. Every problem
/// is reported with the setting's full name and the file's path, so no bad file surfaces later as a handshake error.
/// </summary>
public sealed class TlsMaterial
{
    private TlsMaterial(TlsClientOptions options, string prefix, X509Certificate2Collection? authorities, X509Certificate2? client, IReadOnlyList<byte[]> pins)
    {
        Options = options;
        Prefix = prefix;
        Authorities = authorities;
        ClientCertificate = client;
        Pins = pins;
    }

    public TlsClientOptions Options { get; }

    /// <summary>The settings' prefix, such as <c>Mqtt:Tls</c>, for messages.</summary>
    public string Prefix { get; }

    /// <summary>The CAs of <see cref="TlsClientOptions.CaFile"/>; null means the system's CA store.</summary>
    public X509Certificate2Collection? Authorities { get; }

    public X509Certificate2? ClientCertificate { get; }

    /// <summary>Decoded <see cref="TlsClientOptions.PinnedSha256"/> values (32 bytes each).</summary>
    public IReadOnlyList<byte[]> Pins { get; }

    /// <summary>Reads and checks every file and pin; each problem goes to <paramref name="errors"/> and leaves its part unset.</summary>
    public static TlsMaterial Load(TlsClientOptions options, string prefix, DateTimeOffset now, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        if (options.InsecureSkipVerify && (!string.IsNullOrWhiteSpace(options.CaFile) || options.PinnedSha256.Length > 0))
        {
            errors.Add($"{prefix}:InsecureSkipVerify turns every certificate check off, which contradicts {prefix}:CaFile and {prefix}:PinnedSha256: remove InsecureSkipVerify.");
        }

        var authorities = string.IsNullOrWhiteSpace(options.CaFile) ? null : LoadAuthorities($"{prefix}:CaFile", options.CaFile, now, errors);
        var client = LoadClientCertificate(options, prefix, now, errors);
        var pins = new List<byte[]>(options.PinnedSha256.Length);
        for (var i = 0; i < options.PinnedSha256.Length; i++)
        {
            if (TlsPin.TryParse(options.PinnedSha256[i], out var pin))
            {
                pins.Add(pin);
            }
            else
            {
                errors.Add($"{prefix}:PinnedSha256:{i} '{options.PinnedSha256[i]}' is not a SHA-256 value: give 64 hex digits or 44 base64 characters, optionally after 'sha256/'.");
            }
        }

        return new TlsMaterial(options, prefix, authorities, client, pins);
    }

    private static X509Certificate2Collection? LoadAuthorities(string setting, string path, DateTimeOffset now, List<string> errors)
    {
        if (ReadPem(setting, path, errors) is not { } pem)
        {
            return null;
        }

        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(pem);
        }
        catch (CryptographicException e)
        {
            errors.Add($"{setting} '{path}' holds a damaged certificate ({e.Message}).");
            return null;
        }

        if (certificates.Count == 0)
        {
            errors.Add($"{setting} '{path}' holds no PEM certificate (a block starting '-----BEGIN CERTIFICATE-----').");
            return null;
        }

        if (certificates.All(c => c.NotAfter.ToUniversalTime() < now.UtcDateTime))
        {
            errors.Add($"{setting} '{path}': the CA certificate '{certificates[0].Subject}' expired on {certificates[0].NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm} UTC, so no server certificate can validate against it.");
            return null;
        }

        return certificates;
    }

    private static X509Certificate2? LoadClientCertificate(TlsClientOptions options, string prefix, DateTimeOffset now, List<string> errors)
    {
        var certSetting = $"{prefix}:ClientCertificateFile";
        var keySetting = $"{prefix}:ClientKeyFile";
        if (string.IsNullOrWhiteSpace(options.ClientCertificateFile))
        {
            if (!string.IsNullOrWhiteSpace(options.ClientKeyFile))
            {
                errors.Add($"{keySetting} is set without {certSetting}: set the client certificate too, or remove the key.");
            }

            return null;
        }

        var certPath = options.ClientCertificateFile;
        if (ReadPem(certSetting, certPath, errors) is not { } certPem)
        {
            return null;
        }

        if (!PemEncoding.TryFind(certPem, out var found) || !certPem.AsSpan()[found.Label].SequenceEqual("CERTIFICATE"))
        {
            errors.Add($"{certSetting} '{certPath}' holds no PEM certificate (a block starting '-----BEGIN CERTIFICATE-----').");
            return null;
        }

        var keyPath = string.IsNullOrWhiteSpace(options.ClientKeyFile) ? certPath : options.ClientKeyFile;
        var keyWhere = string.IsNullOrWhiteSpace(options.ClientKeyFile) ? $"{certSetting} '{certPath}' (no {keySetting} is set)" : $"{keySetting} '{keyPath}'";
        var keyPem = ReferenceEquals(keyPath, certPath) ? certPem : ReadPem(keySetting, keyPath, errors);
        if (keyPem is null)
        {
            return null;
        }

        switch (KeyLabel(keyPem))
        {
            case null:
                errors.Add($"{keyWhere} holds no PEM private key (a block such as '-----BEGIN PRIVATE KEY-----').");
                return null;
            case "ENCRYPTED PRIVATE KEY":
                errors.Add($"{keyWhere} holds an encrypted private key: give it unencrypted, readable only by the gateway's user (openssl pkey -in key.pem -out plain.pem).");
                return null;
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPem(certPem, keyPem);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            errors.Add($"{keyWhere} does not fit the certificate in {certSetting} '{certPath}' ({e.Message}): give the key the certificate was issued for.");
            return null;
        }

        if (certificate.NotAfter.ToUniversalTime() < now.UtcDateTime)
        {
            errors.Add($"{certSetting} '{certPath}': the client certificate '{certificate.Subject}' expired on {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm} UTC: renew it.");
            return null;
        }

        if (certificate.NotBefore.ToUniversalTime() > now.UtcDateTime)
        {
            errors.Add($"{certSetting} '{certPath}': the client certificate '{certificate.Subject}' is not valid before {certificate.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm} UTC: check the clock, or wait.");
            return null;
        }

        // Windows' TLS stack cannot use a key that only lives in memory; a PKCS#12 round trip gives it one it can.
        return OperatingSystem.IsWindows() ? X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null) : certificate;
    }

    private static string? KeyLabel(string pem)
    {
        var rest = pem.AsMemory();
        while (PemEncoding.TryFind(rest.Span, out var fields))
        {
            var label = rest.Span[fields.Label].ToString();
            if (label.EndsWith("PRIVATE KEY", StringComparison.Ordinal))
            {
                return label;
            }

            rest = rest[fields.Location.End..];
        }

        return null;
    }

    private static string? ReadPem(string setting, string path, List<string> errors)
    {
        if (Directory.Exists(path))
        {
            errors.Add($"{setting} '{path}' is a folder, not a PEM file.");
            return null;
        }

        if (!File.Exists(path))
        {
            errors.Add($"{setting} '{path}' does not exist.");
            return null;
        }

        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.Add($"{setting} '{path}' cannot be read ({e.Message}): let the gateway's user read it.");
            return null;
        }
    }
}
