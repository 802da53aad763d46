using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace SmartCity.IoT.Gateway.Security;

/// <summary>
/// Refuses an HTTP surface that would be open by accident: a non-loopback URL without credentials, anonymous reads
/// beyond loopback, plain http beyond loopback (unless a TLS proxy is declared), https without a certificate, and
/// secrets written in a configuration file instead of the environment or a secret file.
/// </summary>
internal sealed class HttpSecurityOptionsValidator(IConfiguration configuration) : IValidateOptions<HttpSecurityOptions>
{
    private static readonly (string List, string Secret)[] SecretKeys = [("Http:Auth:Users", "PasswordHash"), ("Http:Auth:Tokens", "Token")];

    public ValidateOptionsResult Validate(string? name, HttpSecurityOptions options)
    {
        var errors = new List<string>();
        ConfigFileSecrets(errors);
        var auth = options.Auth;
        var credentials = HttpCredentials.Resolve(auth, errors);
        var bindings = HttpBinding.Parse(options.Urls);
        var open = bindings.Where(b => !b.IsLoopback).ToList();
        var tls = options.Tls;
        if (open.Count > 0 && credentials.IsEmpty && auth.Users.Count == 0 && auth.Tokens.Count == 0)
        {
            errors.Add($"Http:Urls: {open[0].Url} listens beyond this machine, but no HTTP credentials are configured. Add a login " +
                "(Http:Auth:Users:0:Name, Http:Auth:Users:0:Role=operator and SMARTCITY__Http__Auth__Users__0__PasswordHash from `smartcity auth hash-password`, " +
                "or Http:Auth:Users:0:PasswordHashFile) and/or an API token (Http:Auth:Tokens:0:Name, :Role and SMARTCITY__Http__Auth__Tokens__0__Token or :TokenFile), " +
                "or bind Http:Urls to 127.0.0.1. See SECURITY.md.");
        }

        if (auth.AnonymousReads && (open.Count > 0 || tls.TerminatedByProxy))
        {
            errors.Add(open.Count > 0
                ? $"Http:Auth:AnonymousReads: anonymous reads are allowed on loopback only, and Http:Urls listens on {open[0].Url}: set Http:Auth:AnonymousReads=false (viewers then sign in or use a viewer token)"
                : "Http:Auth:AnonymousReads: behind a proxy (Http:Tls:TerminatedByProxy=true) everyone the proxy serves would read anonymously: set Http:Auth:AnonymousReads=false");
        }

        foreach (var b in open.Where(b => !b.IsHttps && !tls.TerminatedByProxy))
        {
            errors.Add($"Http:Urls: {b.Url} serves plain http beyond this machine, so logins and tokens would cross the network in clear: use https:// with " +
                "Http:Tls:CertificateFile (PEM with Http:Tls:KeyFile, or a PFX with Http:Tls:PasswordFile), or set Http:Tls:TerminatedByProxy=true if a TLS-terminating proxy is the only way in");
        }

        if (bindings.Any(b => b.IsHttps))
        {
            CheckCertificate(tls, errors);
        }
        else if (!string.IsNullOrWhiteSpace(tls.CertificateFile))
        {
            errors.Add($"Http:Tls:CertificateFile is set but no Http:Urls entry is https:// ({options.Urls}): use https:// or remove the certificate");
        }

        foreach (var origin in auth.AllowedOrigins)
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https") || u.PathAndQuery != "/" || origin.EndsWith('/'))
            {
                errors.Add($"Http:Auth:AllowedOrigins: '{origin}' is not an origin such as https://gateway.example.org (scheme, host, optional port, no path)");
            }
        }

        if (auth.SessionLifetime <= TimeSpan.Zero || auth.SessionLifetime > TimeSpan.FromDays(30))
        {
            errors.Add($"Http:Auth:SessionLifetime: {auth.SessionLifetime} is not between 00:00:01 and 30.00:00:00");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void CheckCertificate(HttpTlsOptions tls, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(tls.CertificateFile))
        {
            errors.Add("Http:Tls:CertificateFile: Http:Urls has an https:// URL, so set the certificate (PEM with Http:Tls:KeyFile, or a PFX with Http:Tls:PasswordFile)");
            return;
        }

        try
        {
            using var cert = HttpCertificate.Load(tls);
            if (cert.NotAfter.ToUniversalTime() < DateTime.UtcNow)
            {
                errors.Add($"Http:Tls:CertificateFile: {tls.CertificateFile} expired on {cert.NotAfter.ToUniversalTime():u}");
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            errors.Add($"Http:Tls:CertificateFile: cannot load {tls.CertificateFile}{(tls.KeyFile is { Length: > 0 } k ? " with key " + k : "")}: {ex.Message}");
        }
    }

    /// <summary>Secrets belong in the environment or a secret file: a value found in a configuration file is refused, naming where to put it.</summary>
    private void ConfigFileSecrets(List<string> errors)
    {
        if (configuration is not IConfigurationRoot root)
        {
            return;
        }

        foreach (var file in root.Providers.OfType<FileConfigurationProvider>())
        {
            foreach (var (list, secret) in SecretKeys)
            {
                foreach (var index in file.GetChildKeys([], list).Distinct(StringComparer.OrdinalIgnoreCase))
                {
                    var key = $"{list}:{index}:{secret}";
                    if (file.TryGet(key, out var value) && !string.IsNullOrWhiteSpace(value))
                    {
                        errors.Add($"{key} is written in {file.Source.Path}: keep secrets out of configuration files; set SMARTCITY__{key.Replace(":", "__", StringComparison.Ordinal)} in the environment or {key}File to a file only the gateway can read, and remove it from {file.Source.Path}");
                    }
                }
            }
        }
    }
}
