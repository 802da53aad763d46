using System.Security.Cryptography.X509Certificates;
using SmartCity.IoT.Core.Tls;

namespace SmartCity.IoT.Influx.Http;

/// <summary>The HTTPS side of <c>Influx:Tls</c>: the handler that checks InfluxDB's certificate and shows the client certificate.</summary>
internal sealed class InfluxTls
{
    private InfluxTls(ServerCertificateCheck? check, string host)
    {
        Check = check;
        _host = host;
    }

    private readonly string _host;

    /// <summary>Null when nothing is configured: the platform's checks against the system store apply.</summary>
    public ServerCertificateCheck? Check { get; }

    public static InfluxTls Create(InfluxOptions options, TimeProvider time)
    {
        if (!options.Tls.IsCustomized || !Uri.TryCreate(options.Url, UriKind.Absolute, out var uri))
        {
            return new InfluxTls(null, "");
        }

        var errors = new List<string>();
        var material = TlsMaterial.Load(options.Tls, "Influx:Tls", time.GetUtcNow(), errors);
        if (errors.Count > 0)
        {
            // Options validation reports these at start; this only guards a store built by hand.
            throw new InvalidOperationException(string.Join(" ", errors));
        }

        return new InfluxTls(new ServerCertificateCheck(material, time), ServerCertificateCheck.HostOf(uri.Host));
    }

    /// <summary>The primary handler of the InfluxDB HTTP client.</summary>
    public HttpMessageHandler CreateHandler()
    {
        var handler = new SocketsHttpHandler();
        if (Check is { } check)
        {
            var host = _host;
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, _) => check.Validate(certificate, chain, host);
            handler.SslOptions.CertificateRevocationCheckMode = X509RevocationMode.NoCheck; // the check rebuilds the chain itself
            if (check.Material.ClientCertificate is { } client)
            {
                handler.SslOptions.ClientCertificates = new X509CertificateCollection { client };
            }
        }

        return handler;
    }
}
