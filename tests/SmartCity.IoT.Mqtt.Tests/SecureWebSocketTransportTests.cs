using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.AspNetCore;
using MQTTnet.Protocol;
using MQTTnet.Server;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.Mqtt.Tests;

/// <summary>
/// MQTT over TLS WebSockets (<c>wss://</c>) against MQTTnet's server hosted in ASP.NET Core on 127.0.0.1, with a
/// certificate the test makes. The gateway trusts it only through <c>Mqtt:Tls:CaFile</c> (the certificate signs itself).
/// </summary>
public sealed class SecureWebSocketTransportTests
{
    [Fact]
    public async Task A_wss_url_connects_over_TLS_WebSockets_and_delivers_QoS_1_messages()
    {
        using var certificate = SelfSignedLoopbackCertificate();
        var port = FreePort.Next();
        await using var app = await StartServerAsync(certificate, port);
        var server = app.Services.GetRequiredService<MqttServer>();

        using var dir = new TempDir("smartcity-wss");
        var ca = dir.Sub("ca.pem");
        await File.WriteAllTextAsync(ca, certificate.ExportCertificatePem());
        var options = Options(port);
        options.Tls.CaFile = ca;
        var handler = new RecordingHandler();
        var run = MqttIngestClientTests.Start(options, handler);
        await using (run)
        {
            await run.WaitConnectedAsync();
            await server.InjectApplicationMessage(new InjectedMqttApplicationMessage(
                new MqttApplicationMessageBuilder().WithTopic("wss/dev1/telemetry").WithPayload("over tls websockets").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build()));
            await handler.WaitForAsync(m => m.Payload == "over tls websockets", "a message over TLS WebSockets");
            Assert.Equal($"wss://127.0.0.1:{port}/mqtt", run.Client.Health.Endpoint);
            Assert.Equal(1, run.Client.ReceivedAtLeastOnce);
        }

        await app.StopAsync();
    }

    [Fact]
    public async Task A_wss_server_whose_certificate_is_not_signed_by_a_trusted_CA_is_refused()
    {
        using var certificate = SelfSignedLoopbackCertificate();
        var port = FreePort.Next();
        await using var app = await StartServerAsync(certificate, port);

        var run = MqttIngestClientTests.Start(Options(port), new RecordingHandler());
        await using (run)
        {
            // A positive signal first: the connect attempt has failed (and is being retried), not merely not happened yet.
            await run.WaitAsync(() => run.Client.Health.FailedConnects >= 1, "a failed connect");
            Assert.False(run.Client.IsConnected);
            Assert.StartsWith($"TLS with wss://127.0.0.1:{port}/mqtt failed:", run.Client.Health.LastError, StringComparison.Ordinal);
        }

        await app.StopAsync();
    }

    private static MqttOptions Options(int port) => new()
    {
        Host = $"wss://127.0.0.1:{port}/mqtt",
        ClientId = "wss-" + Guid.NewGuid().ToString("N")[..8],
        Topics = ["wss/#"],
    };

    private static async Task<WebApplication> StartServerAsync(X509Certificate2 certificate, int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, port, l => l.UseHttps(new HttpsConnectionAdapterOptions { ServerCertificate = certificate })));
        builder.Services.AddHostedMqttServer(o => o.WithoutDefaultEndpoint().WithPersistentSessions());
        builder.Services.AddMqttConnectionHandler();
        builder.Services.AddConnections();
        var app = builder.Build();
        app.MapConnectionHandler<MqttConnectionHandler>("/mqtt", o => o.WebSockets.SubProtocolSelector = MqttSubProtocolSelector.SelectSubProtocol);
        await app.StartAsync();
        return app;
    }

    private static X509Certificate2 SelfSignedLoopbackCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        // Through PKCS#12 so Kestrel gets a certificate whose private key the platform's TLS stack can use.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
    }
}
