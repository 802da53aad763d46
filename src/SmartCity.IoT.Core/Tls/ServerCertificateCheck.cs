using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace SmartCity.IoT.Core.Tls;

/// <summary>
/// Validates a server's certificate as configured by a <see cref="TlsMaterial"/>: the chain to the configured CA (or the
/// system's store), the validity dates, the name, and the pins; the platform's own verdict is not used, since it knows
/// neither the configured CA nor the name override. A rejection keeps its reason in plain words in
/// <see cref="LastFailure"/>, because the TLS stack itself only reports that the callback said no.
/// </summary>
public sealed class ServerCertificateCheck(TlsMaterial material, TimeProvider time)
{
    private string? _lastFailure;
    private int _passed;

    public TlsMaterial Material { get; } = material;

    /// <summary>Why the last rejected certificate was rejected; null after one passed.</summary>
    public string? LastFailure => Volatile.Read(ref _lastFailure);

    /// <summary>Whether a certificate passed since the last <see cref="Reset"/>: the server's side of the handshake was fine.</summary>
    public bool Passed => Volatile.Read(ref _passed) == 1;

    /// <summary>Forgets the last reason, before a new connect.</summary>
    public void Reset()
    {
        Volatile.Write(ref _lastFailure, null);
        Volatile.Write(ref _passed, 0);
    }

    /// <summary>The certificate validation callback: true when the certificate passes, otherwise <see cref="LastFailure"/> says why.</summary>
    public bool Validate(X509Certificate? certificate, X509Chain? chain, string host)
    {
        var failure = Explain(certificate, chain, host);
        Volatile.Write(ref _lastFailure, failure);
        Volatile.Write(ref _passed, failure is null ? 1 : 0);
        return failure is null;
    }

    /// <summary>The reason to reject <paramref name="certificate"/> presented by <paramref name="host"/>, or null to accept it.</summary>
    public string? Explain(X509Certificate? certificate, X509Chain? chain, string host)
    {
        if (Material.Options.InsecureSkipVerify)
        {
            return null;
        }

        if (certificate is null)
        {
            return "the server sent no certificate";
        }

        var leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var own = new X509Chain();
        var policy = own.ChainPolicy;
        policy.VerificationTime = time.GetUtcNow().UtcDateTime;
        policy.VerificationTimeIgnored = false;
        if (Material.Authorities is { } authorities)
        {
            // A private CA rarely publishes revocation lists; trust is limited to exactly the configured CAs instead.
            policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            policy.CustomTrustStore.AddRange(authorities);
            policy.RevocationMode = X509RevocationMode.NoCheck;
        }
        else
        {
            policy.RevocationMode = X509RevocationMode.Online;
            policy.VerificationFlags = X509VerificationFlags.IgnoreEndRevocationUnknown | X509VerificationFlags.IgnoreCertificateAuthorityRevocationUnknown;
        }

        if (chain is not null)
        {
            // The intermediates the server sent along.
            foreach (var element in chain.ChainElements)
            {
                if (!element.Certificate.RawDataMemory.Span.SequenceEqual(leaf.RawDataMemory.Span))
                {
                    policy.ExtraStore.Add(element.Certificate);
                }
            }
        }

        if (!own.Build(leaf))
        {
            return ChainFailure(leaf, own);
        }

        var name = string.IsNullOrWhiteSpace(Material.Options.ServerName) ? host : Material.Options.ServerName;
        if (!leaf.MatchesHostname(name, allowWildcards: true, allowCommonName: false))
        {
            var hint = string.IsNullOrWhiteSpace(Material.Options.ServerName)
                ? $"connect by one of those names, or set {Material.Prefix}:ServerName to the name the certificate carries"
                : $"set {Material.Prefix}:ServerName to one of those names";
            return $"the server's certificate is for {Names(leaf)}, not '{name}': {hint}";
        }

        if (Material.Pins.Count > 0)
        {
            foreach (var element in own.ChainElements)
            {
                var spki = TlsPin.OfPublicKey(element.Certificate);
                var whole = TlsPin.OfCertificate(element.Certificate);
                if (Material.Pins.Any(p => p.AsSpan().SequenceEqual(spki) || p.AsSpan().SequenceEqual(whole)))
                {
                    return null;
                }
            }

            return $"the server's certificate '{leaf.Subject}' matches none of {Material.Prefix}:PinnedSha256 (its public key is {TlsPin.Format(TlsPin.OfPublicKey(leaf))}, the certificate's SHA-256 {TlsPin.Hex(TlsPin.OfCertificate(leaf))}): if the broker's key changed on purpose, pin the new one";
        }

        return null;
    }

    private string ChainFailure(X509Certificate2 leaf, X509Chain chain)
    {
        var now = time.GetUtcNow().UtcDateTime;
        foreach (var element in chain.ChainElements)
        {
            var c = element.Certificate;
            var which = ReferenceEquals(c, leaf) || c.RawDataMemory.Span.SequenceEqual(leaf.RawDataMemory.Span) ? "the server's certificate" : "the certificate in its chain";
            if (c.NotAfter.ToUniversalTime() < now)
            {
                return $"{which} '{c.Subject}' expired on {c.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm} UTC: the broker's administrator must renew it";
            }

            if (c.NotBefore.ToUniversalTime() > now)
            {
                return $"{which} '{c.Subject}' is not valid before {c.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm} UTC: check this machine's clock";
            }
        }

        var flags = chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (a, s) => a | s.Status);
        const X509ChainStatusFlags untrusted = X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain;
        if ((flags & untrusted) != 0)
        {
            return Material.Authorities is null
                ? $"the server's certificate '{leaf.Subject}' (issued by '{leaf.Issuer}') is not trusted by this machine's CA store: set {Material.Prefix}:CaFile to the CA that issued it"
                : $"the server's certificate '{leaf.Subject}' (issued by '{leaf.Issuer}') is not signed by the CA in {Material.Prefix}:CaFile '{Material.Options.CaFile}': point it at the CA that issued the broker's certificate";
        }

        if ((flags & X509ChainStatusFlags.Revoked) != 0)
        {
            return $"the server's certificate '{leaf.Subject}' has been revoked by its CA";
        }

        var detail = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
        return $"the server's certificate '{leaf.Subject}' does not validate ({(detail.Length > 0 ? detail : flags.ToString())})";
    }

    private static string Names(X509Certificate2 certificate)
    {
        var names = new List<string>();
        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension san)
            {
                names.AddRange(san.EnumerateDnsNames());
                names.AddRange(san.EnumerateIPAddresses().Select(ip => ip.ToString()));
            }
        }

        return names.Count == 0 ? $"no name (it carries no subject alternative name; its subject is '{certificate.Subject}')" : string.Join(", ", names.Select(n => $"'{n}'"));
    }

    /// <summary>The host name or address a URL or endpoint text names, without brackets.</summary>
    public static string HostOf(string hostOrUrl) =>
        Uri.TryCreate(hostOrUrl, UriKind.Absolute, out var uri) && !string.IsNullOrEmpty(uri.Host) ? (IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var ip) ? ip.ToString() : uri.IdnHost) : hostOrUrl;
}
