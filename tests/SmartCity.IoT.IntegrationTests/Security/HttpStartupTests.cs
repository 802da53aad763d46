using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using SmartCity.IoT.IntegrationTests.Infrastructure;

namespace SmartCity.IoT.IntegrationTests.Security;

/// <summary>Issue 16: what `run` refuses (open beyond loopback by accident, secrets in the config file) and HTTPS with the configured certificate.</summary>
public sealed class HttpStartupTests
{
    [Fact]
    public async Task A_non_loopback_bind_without_credentials_refuses_to_start_and_says_what_to_set()
    {
        var (code, output) = await RunAsync(s => s["Http:Urls"] = "http://0.0.0.0:" + FreePort.Next().ToString(CultureInfo.InvariantCulture));

        Assert.Equal(1, code);
        Assert.Contains("listens beyond this machine, but no HTTP credentials are configured", output, StringComparison.Ordinal);
        Assert.Contains("SMARTCITY__Http__Auth__Users__0__PasswordHash", output, StringComparison.Ordinal);
        Assert.Contains("anonymous reads are allowed on loopback only", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal); // a message, not a stack trace
    }

    [Fact]
    public async Task Plain_http_beyond_loopback_is_refused_even_with_credentials_unless_a_tls_proxy_is_declared()
    {
        var dir = Directory.CreateTempSubdirectory("smartcity-token-").FullName;
        var tokenFile = Path.Combine(dir, "token");
        await File.WriteAllTextAsync(tokenFile, Gateway.Security.GeneratedLogin.NewSecret(32) + "\n");
        void Configure(Dictionary<string, string?> s)
        {
            s["Http:Urls"] = "http://0.0.0.0:" + FreePort.Next().ToString(CultureInfo.InvariantCulture);
            s["Http:Auth:AnonymousReads"] = "false";
            s["Http:Auth:Tokens:0:Name"] = "ops";
            s["Http:Auth:Tokens:0:Role"] = "operator";
            s["Http:Auth:Tokens:0:TokenFile"] = tokenFile;
        }

        var (code, output) = await RunAsync(Configure);
        Assert.Equal(1, code);
        Assert.Contains("serves plain http beyond this machine", output, StringComparison.Ordinal);
        Assert.Contains("Http:Tls:TerminatedByProxy=true", output, StringComparison.Ordinal);
        Assert.DoesNotContain("no HTTP credentials", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_secret_written_in_the_config_file_is_refused_with_where_to_put_it()
    {
        var (code, output) = await RunAsync(s =>
        {
            s["Http:Auth:Tokens:0:Name"] = "ops";
            s["Http:Auth:Tokens:0:Role"] = "operator";
            s["Http:Auth:Tokens:0:Token"] = Gateway.Security.GeneratedLogin.NewSecret(32);
        });

        Assert.Equal(1, code);
        Assert.Contains("Http:Auth:Tokens:0:Token is written in", output, StringComparison.Ordinal);
        Assert.Contains("SMARTCITY__Http__Auth__Tokens__0__Token", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pem")]
    [InlineData("pfx")]
    public async Task Https_serves_the_configured_certificate(string format)
    {
        var dir = Directory.CreateTempSubdirectory("smartcity-tls-").FullName;
        var cert = Path.Combine(dir, "cert.pem");
        var key = Path.Combine(dir, "key.pem");
        await OpenSslAsync("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=smartcity-test", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert);
        var expected = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(cert)).Thumbprint;
        var port = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        await using var gateway = await GatewayInstance.StartAsync(s =>
        {
            s["Http:Urls"] = "https://127.0.0.1:" + port;
            s["Http:Auth:Users:0:Name"] = "tess";
            s["Http:Auth:Users:0:Role"] = "operator";
            s["Http:Auth:Users:0:PasswordHash"] = Gateway.Security.HttpCredentials.HashPassword("tess-password-over-tls");
            if (format == "pem")
            {
                s["Http:Tls:CertificateFile"] = cert;
                s["Http:Tls:KeyFile"] = key;
            }
            else
            {
                var pfx = Path.Combine(dir, "gateway.pfx");
                var password = Path.Combine(dir, "pfx-password");
                File.WriteAllText(password, "pfx-secret-pass\n");
                OpenSslAsync("pkcs12", "-export", "-in", cert, "-inkey", key, "-out", pfx, "-passout", "file:" + password).GetAwaiter().GetResult();
                s["Http:Tls:CertificateFile"] = pfx;
                s["Http:Tls:PasswordFile"] = password;
            }
        });

        string? served = null;
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, c, _, _) =>
            {
                served = c?.Thumbprint;
                return c?.Thumbprint == expected; // trust exactly the configured certificate
            },
        };
        using var http = new HttpClient(handler) { BaseAddress = new Uri("https://127.0.0.1:" + port) };
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        Assert.Equal(expected, served);

        // Over https the login and antiforgery cookies are Secure (and still HttpOnly, SameSite=Strict).
        using var browser = new PageClient("https://127.0.0.1:" + port, c => c?.Thumbprint == expected);
        Assert.Equal(System.Net.HttpStatusCode.Redirect, (await browser.SignInAsync("tess", "tess-password-over-tls")).StatusCode);
        foreach (var name in new[] { "smartcity.session", "smartcity.af" })
        {
            var cookie = Assert.Single(browser.Cookies, c => c.Name == name);
            Assert.True(cookie.Secure && cookie.HttpOnly, $"{name}: Secure {cookie.Secure}, HttpOnly {cookie.HttpOnly}");
        }

        Assert.Equal(System.Net.HttpStatusCode.OK, (await browser.Http.GetAsync("/api/alerts")).StatusCode);
        Directory.Delete(dir, recursive: true);
    }

    private static async Task<(int Code, string Output)> RunAsync(Action<Dictionary<string, string?>> configure)
    {
        var dataDir = Directory.CreateTempSubdirectory("smartcity-http-start-").FullName;
        var settings = GatewayInstance.DefaultSettings(dataDir, TestEnvironment.MosquittoPort);
        configure(settings);
        // A gateway that starts after all is stopped after a while (exit code 130), so the test fails instead of hanging.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await CommandLineTests.RunAsync(stop.Token, "run", "--config", GatewayProcess.WriteConfig(dataDir, settings));
    }

    private static async Task OpenSslAsync(params string[] args)
    {
        var start = new ProcessStartInfo("openssl") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"openssl {string.Join(' ', args)}: {error}");
    }
}
