using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace SmartCity.IoT.Gateway.Security;

/// <summary>Gives https:// URLs the certificate of <c>Http:Tls</c> (checked by <see cref="HttpSecurityOptionsValidator"/> on start).</summary>
internal sealed class KestrelHttpsSetup(IOptions<HttpSecurityOptions> options) : IConfigureOptions<KestrelServerOptions>
{
    public void Configure(KestrelServerOptions kestrel)
    {
        var tls = options.Value.Tls;
        if (string.IsNullOrWhiteSpace(tls.CertificateFile))
        {
            return;
        }

        kestrel.ConfigureHttpsDefaults(https =>
        {
            https.ServerCertificate = HttpCertificate.Load(tls);
            https.SslProtocols = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13;
        });
    }
}
