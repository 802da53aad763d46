using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.IntegrationTests.Infrastructure;
using SmartCity.IoT.Mqtt;
using SmartCity.IoT.Testing;
using Xunit.Abstractions;

namespace SmartCity.IoT.IntegrationTests;

/// <summary>
/// Issue 16: the gateway against a real Mosquitto over TLS with a CA made by openssl, mutual TLS, a mosquitto_passwd
/// password file with an ACL, and each wrong credential: one plain warning naming what failed, retries without a stack trace.
/// </summary>
public sealed class MqttTlsTests(MqttTlsTests.Broker fixture, ITestOutputHelper output) : IClassFixture<MqttTlsTests.Broker>
{
    private TlsMosquitto Mosquitto => fixture.Server;

    [Fact]
    public async Task Readings_flow_over_TLS_validated_against_the_site_CA_into_InfluxDB()
    {
        using var influx = new InfluxHttp(TestEnvironment.InfluxUrl);
        var database = InfluxHttp.NewDatabaseName("mqtt_tls");
        await influx.CreateDatabaseAsync(database);
        var log = new LogCapture();
        await using var gateway = await StartAsync(log, s =>
        {
            Tls(s, Mosquitto.TlsPort);
            s["Mqtt:Tls:CaFile"] = Mosquitto.CaFile;
            s["Influx:Url"] = TestEnvironment.InfluxUrl;
            s["Influx:Api"] = "v1";
            s["Influx:Database"] = database;
        });

        var device = "ies-tls-" + Guid.NewGuid().ToString("N")[..6];
        await PublishAsync(Co2Reading.Topic(device), Co2Reading.Payload(777));
        var rows = await Eventually.WaitAsync(() => influx.QueryAsync(database, $"SELECT co2 FROM environment WHERE device = '{device}'"), r => r.Count > 0, TimeSpan.FromSeconds(30), "the reading sent over TLS in InfluxDB");
        Assert.Equal(777, Assert.Single(rows)["co2"].GetDouble());
        Assert.Null(gateway.Get<MqttIngestClient>().LastError);
    }

    [Fact]
    public async Task Readings_flow_over_mutual_TLS_into_an_InfluxDB_served_over_HTTPS_checked_against_the_site_CA()
    {
        var pki = new TestPki(Mosquitto.Dir);
        var (cert, key) = pki.Issue(Mosquitto.CaFile, "influxdb", client: false);
        using var influxd = new InfluxServer(cert, key, Trusting(Mosquitto.CaFile));
        await influxd.StartAsync();
        using var influx = new InfluxHttp(influxd.Url, Trusting(Mosquitto.CaFile));
        var database = InfluxHttp.NewDatabaseName("influx_tls");
        await influx.CreateDatabaseAsync(database);
        var log = new LogCapture();
        await using var gateway = await StartAsync(log, s =>
        {
            Tls(s, Mosquitto.MutualPort);
            s["Mqtt:Tls:CaFile"] = Mosquitto.CaFile;
            s["Mqtt:Tls:ClientCertificateFile"] = Mosquitto.ClientCert;
            s["Mqtt:Tls:ClientKeyFile"] = Mosquitto.ClientKey;
            s["Influx:Url"] = influxd.Url;
            s["Influx:Api"] = "v1";
            s["Influx:Database"] = database;
            s["Influx:Tls:CaFile"] = Mosquitto.CaFile;
        });

        var device = "ies-https-" + Guid.NewGuid().ToString("N")[..6];
        await PublishAsync(Co2Reading.Topic(device), Co2Reading.Payload(888));
        var rows = await Eventually.WaitAsync(() => influx.QueryAsync(database, $"SELECT co2 FROM environment WHERE device = '{device}'"), r => r.Count > 0, TimeSpan.FromSeconds(30), $"the reading in InfluxDB over HTTPS; log: {log.Text}");
        Assert.Equal(888, Assert.Single(rows)["co2"].GetDouble());
    }

    [Fact]
    public async Task An_InfluxDB_certificate_from_another_CA_is_refused_in_plain_words_without_a_stack_trace()
    {
        var pki = new TestPki(Mosquitto.Dir);
        var (cert, key) = pki.Issue(Mosquitto.CaFile, "influxdb-2", client: false);
        using var influxd = new InfluxServer(cert, key, Trusting(Mosquitto.CaFile));
        await influxd.StartAsync();
        var log = new LogCapture();
        await using var gateway = await StartAsync(log, s =>
        {
            Tls(s, Mosquitto.TlsPort);
            s["Mqtt:Tls:CaFile"] = Mosquitto.CaFile;
            s["Influx:Url"] = influxd.Url;
            s["Influx:Api"] = "v1";
            s["Influx:Database"] = "never";
            s["Influx:Tls:CaFile"] = Mosquitto.OtherCaFile;
        });

        await PublishAsync(Co2Reading.Topic("ies-https-refused"), Co2Reading.Payload(889));
        var expected = $"is not signed by the CA in Influx:Tls:CaFile '{Mosquitto.OtherCaFile}'";
        await Eventually.WaitAsync(() => Task.FromResult(log.Lines.Any(l => l.Message.Contains(expected, StringComparison.Ordinal))), seen => seen, TimeSpan.FromSeconds(30), $"the refusal of InfluxDB's certificate; log: {log.Text}");
        Assert.DoesNotContain(log.Lines, l => l.Message.Contains("   at ", StringComparison.Ordinal));
    }

    /// <summary>An HTTP handler for the test's own requests that trusts exactly <paramref name="caFile"/>.</summary>
    private static SocketsHttpHandler Trusting(string caFile)
    {
        var errors = new List<string>();
        var material = SmartCity.IoT.Core.Tls.TlsMaterial.Load(new SmartCity.IoT.Core.Tls.TlsClientOptions { CaFile = caFile }, "test", DateTimeOffset.UtcNow, errors);
        Assert.Empty(errors);
        var check = new SmartCity.IoT.Core.Tls.ServerCertificateCheck(material, TimeProvider.System);
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, c, chain, _) => check.Validate(c, chain, "127.0.0.1");
        return handler;
    }

    [Fact]
    public async Task Mutual_TLS_with_a_client_certificate_from_files_connects_and_readings_arrive()
    {
        var log = new LogCapture();
        await using var gateway = await StartAsync(log, s =>
        {
            Tls(s, Mosquitto.MutualPort);
            s["Mqtt:Tls:CaFile"] = Mosquitto.CaFile;
            s["Mqtt:Tls:ClientCertificateFile"] = Mosquitto.ClientCert;
            s["Mqtt:Tls:ClientKeyFile"] = Mosquitto.ClientKey;
        });

        var device = "ies-mtls-" + Guid.NewGuid().ToString("N")[..6];
        await PublishAsync(Co2Reading.Topic(device), Co2Reading.Payload(650));
        await SeenAsync(gateway, device);
    }

    [Fact]
    public async Task A_pinned_broker_key_with_the_CA_connects()
    {
        var log = new LogCapture();
        await using var gateway = await StartAsync(log, s =>
        {
            Tls(s, Mosquitto.TlsPort);
            s["Mqtt:Tls:CaFile"] = Mosquitto.CaFile;
            s["Mqtt:Tls:PinnedSha256:0"] = "sha256/" + Mosquitto.ServerPin;
        });

        Assert.True(gateway.Get<MqttIngestClient>().IsConnected);
    }

    [Fact]
    public async Task The_password_file_logs_in_and_the_ACL_file_is_respected()
    {
        var log = new LogCapture();
        await using var gateway = await StartAsync(log, s =>
        {
            Tls(s, Mosquitto.PasswordPort);
            s["Mqtt:Tls:CaFile"] = Mosquitto.CaFile;
            s["Mqtt:Username"] = TlsMosquitto.User;
            s["Mqtt:PasswordFile"] = Mosquitto.PasswordFile;
            s["Mqtt:Topics:0"] = TlsMosquitto.AllowedFilter;
            s["Mqtt:Topics:1"] = TlsMosquitto.DeniedFilter;
        });

        // Mosquitto 2.0's acl_file grants the subscription and withholds what the ACL forbids. The denied reading goes
        // first: once the allowed one is in, the denied one would have been too.
        var denied = "ies-acl-no-" + Guid.NewGuid().ToString("N")[..6];
        var allowed = "ies-acl-ok-" + Guid.NewGuid().ToString("N")[..6];
        await PublishAsync(Co2Reading.Topic(denied, floor: 4), Co2Reading.Payload(500));
        await PublishAsync(Co2Reading.Topic(allowed, floor: 3), Co2Reading.Payload(510));
        await SeenAsync(gateway, allowed);
        Assert.DoesNotContain(gateway.Get<DeviceRegistry>().Snapshot(), d => d.DeviceId == denied);
        Assert.DoesNotContain(TlsMosquitto.Password, log.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_subscription_the_broker_refuses_is_reported_as_not_authorized_and_the_allowed_one_is_kept()
    {
        await using var dynsec = await DynsecMosquitto.StartAsync();
        var log = new LogCapture();
        await using var gateway = await StartAsync(log, s =>
        {
            s["Mqtt:Port"] = dynsec.Port.ToString(CultureInfo.InvariantCulture);
            s["Mqtt:Username"] = TlsMosquitto.User;
            s["Mqtt:PasswordFile"] = Mosquitto.PasswordFile;
            s["Mqtt:Topics:0"] = TlsMosquitto.AllowedFilter;
            s["Mqtt:Topics:1"] = TlsMosquitto.DeniedFilter;
        });

        var client = gateway.Get<MqttIngestClient>();
        Assert.Equal([TlsMosquitto.AllowedFilter], client.SubscribedFilters);
        var expected = $"not authorized for topic '{TlsMosquitto.DeniedFilter}'";
        Assert.Contains(expected, client.LastError, StringComparison.Ordinal);
        Assert.Single(log.Of("SmartCity.IoT.Mqtt"), l => l.Level == LogLevel.Warning && l.Message.Contains(expected, StringComparison.Ordinal));
        Assert.DoesNotContain(TlsMosquitto.Password, log.Text, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> WrongCredentials() => new()
    {
        { "wrong-ca", "is not signed by the CA in Mqtt:Tls:CaFile" },
        { "system-store", "is not trusted by this machine's CA store: set Mqtt:Tls:CaFile" },
        { "expired-server", "the server's certificate 'CN=broker-expired' expired on" },
        { "wrong-name", "the server's certificate is for 'localhost', '127.0.0.1', not 'broker.example'" },
        { "wrong-pin", "matches none of Mqtt:Tls:PinnedSha256" },
        { "no-client-certificate", "ended the TLS connection right after the handshake and the gateway sent no client certificate: its listener requires one" },
        { "foreign-client-certificate", "refused the client certificate in Mqtt:Tls:ClientCertificateFile" },
        { "wrong-password", "refused user 'gateway' (not authorized): the password is wrong or the user may not connect" },
    };

    [Theory]
    [MemberData(nameof(WrongCredentials))]
    public async Task Each_wrong_credential_gives_one_clear_warning_and_retries_without_a_stack_trace(string wrong, string expected)
    {
        var log = new LogCapture();
        await using var gateway = await StartAsync(log, s =>
        {
            s["Mqtt:ReconnectMinDelay"] = "00:00:00.050";
            s["Mqtt:ReconnectMaxDelay"] = "00:00:00.200";
            s["Mqtt:Tls:CaFile"] = Mosquitto.CaFile;
            Tls(s, Mosquitto.TlsPort);
            switch (wrong)
            {
                case "wrong-ca":
                    s["Mqtt:Tls:CaFile"] = Mosquitto.OtherCaFile;
                    break;
                case "system-store":
                    s.Remove("Mqtt:Tls:CaFile");
                    break;
                case "expired-server":
                    Tls(s, Mosquitto.ExpiredPort);
                    break;
                case "wrong-name":
                    s["Mqtt:Tls:ServerName"] = "broker.example";
                    break;
                case "wrong-pin":
                    s["Mqtt:Tls:PinnedSha256:0"] = Convert.ToHexString(new byte[32]);
                    break;
                case "no-client-certificate":
                    Tls(s, Mosquitto.MutualPort);
                    break;
                case "foreign-client-certificate":
                    Tls(s, Mosquitto.MutualPort);
                    s["Mqtt:Tls:ClientCertificateFile"] = Mosquitto.ForeignClientCert;
                    s["Mqtt:Tls:ClientKeyFile"] = Mosquitto.ForeignClientKey;
                    break;
                case "wrong-password":
                    Tls(s, Mosquitto.PasswordPort);
                    s["Mqtt:Username"] = TlsMosquitto.User;
                    s["Mqtt:Password"] = "not the password";
                    break;
            }
        }, waitConnected: false);

        var client = gateway.Get<MqttIngestClient>();
        await Eventually.WaitAsync(() => Task.FromResult(client.FailedConnects), n => n >= 3, TimeSpan.FromSeconds(30), $"three failed connects ({wrong}); log: {log.Text}");
        output.WriteLine(client.LastError);
        Assert.False(client.IsConnected);
        Assert.Contains(expected, client.LastError, StringComparison.Ordinal);
        var mqtt = log.Of("SmartCity.IoT.Mqtt").ToList();
        Assert.Single(mqtt, l => l.Level >= LogLevel.Warning && l.Message.Contains(expected, StringComparison.Ordinal));
        Assert.All(mqtt, l => Assert.Null(l.Exception));
        Assert.DoesNotContain(log.Lines, l => l.Message.Contains("   at ", StringComparison.Ordinal));
        Assert.DoesNotContain("not the password", log.Text, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> BadFiles() => new()
    {
        { "missing-ca", "Mqtt:Tls:CaFile '{dir}/nowhere.pem' does not exist." },
        { "key-as-ca", "Mqtt:Tls:CaFile '{dir}/site-ca.key' holds no PEM certificate" },
        { "expired-client", "Mqtt:Tls:ClientCertificateFile '{dir}/gateway-expired.pem': the client certificate 'CN=gateway-expired' expired on" },
        { "key-mismatch", "Mqtt:Tls:ClientKeyFile '{dir}/gateway-foreign.key' does not fit the certificate in Mqtt:Tls:ClientCertificateFile '{dir}/gateway-client.pem'" },
        { "no-key", "Mqtt:Tls:ClientCertificateFile '{dir}/gateway-client.pem' (no Mqtt:Tls:ClientKeyFile is set) holds no PEM private key" },
        { "missing-password-file", "Mqtt:PasswordFile '{dir}/nowhere.password' does not exist." },
        { "insecure-with-ca", "Mqtt:Tls:InsecureSkipVerify turns every certificate check off, which contradicts Mqtt:Tls:CaFile" },
        { "old-allow-untrusted", "Mqtt:AllowUntrustedCertificates is refused: it turns every check of the broker's certificate off" },
        { "tls-off", "Mqtt:Tls is set but Mqtt:UseTls is off" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task A_bad_TLS_file_or_setting_stops_the_start_naming_the_setting_and_the_path(string bad, string expected)
    {
        var dir = Mosquitto.Dir;
        var settings = GatewayInstance.DefaultSettings(dir, Mosquitto.TlsPort);
        Tls(settings, Mosquitto.TlsPort);
        settings["Mqtt:Tls:CaFile"] = Mosquitto.CaFile;
        switch (bad)
        {
            case "missing-ca":
                settings["Mqtt:Tls:CaFile"] = Path.Combine(dir, "nowhere.pem");
                break;
            case "key-as-ca":
                settings["Mqtt:Tls:CaFile"] = TestPki.KeyOf(Mosquitto.CaFile);
                break;
            case "expired-client":
                settings["Mqtt:Tls:ClientCertificateFile"] = Mosquitto.ExpiredClientCert;
                settings["Mqtt:Tls:ClientKeyFile"] = Mosquitto.ExpiredClientKey;
                break;
            case "key-mismatch":
                settings["Mqtt:Tls:ClientCertificateFile"] = Mosquitto.ClientCert;
                settings["Mqtt:Tls:ClientKeyFile"] = Mosquitto.ForeignClientKey;
                break;
            case "no-key":
                settings["Mqtt:Tls:ClientCertificateFile"] = Mosquitto.ClientCert;
                break;
            case "missing-password-file":
                settings["Mqtt:Username"] = TlsMosquitto.User;
                settings["Mqtt:PasswordFile"] = Path.Combine(dir, "nowhere.password");
                break;
            case "insecure-with-ca":
                settings["Mqtt:Tls:InsecureSkipVerify"] = "true";
                break;
            case "old-allow-untrusted":
                settings["Mqtt:AllowUntrustedCertificates"] = "true";
                break;
            case "tls-off":
                settings["Mqtt:UseTls"] = "false";
                break;
        }

        var app = SmartCity.IoT.Gateway.Hosting.GatewayHost.Build(configFile: null, overrides: settings);
        await using (app)
        {
            var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
            Assert.Contains(expected.Replace("{dir}", dir, StringComparison.Ordinal), error.Message, StringComparison.Ordinal);
        }
    }

    private static void Tls(Dictionary<string, string?> s, int port)
    {
        s["Mqtt:Host"] = "127.0.0.1";
        s["Mqtt:Port"] = port.ToString(CultureInfo.InvariantCulture);
        s["Mqtt:UseTls"] = "true";
    }

    private static Task<GatewayInstance> StartAsync(LogCapture log, Action<Dictionary<string, string?>> configure, bool waitConnected = true) =>
        GatewayInstance.StartAsync(configure, services: s => s.AddSingleton<ILoggerProvider>(log), waitConnected: waitConnected);

    private async Task PublishAsync(string topic, byte[] payload)
    {
        await using var publisher = await TestPublisher.ConnectAsync(Mosquitto.PlainPort);
        await publisher.PublishAsync(topic, payload);
    }

    private static Task SeenAsync(GatewayInstance gateway, string device)
    {
        var registry = gateway.Get<DeviceRegistry>();
        return Eventually.WaitAsync(() => Task.FromResult(registry.Snapshot().Any(d => d.DeviceId == device)), seen => seen, TimeSpan.FromSeconds(20), $"the reading of {device}");
    }

    /// <summary>One broker for the class: the certificates take openssl a moment to make.</summary>
    public sealed class Broker : IAsyncLifetime
    {
        private TlsMosquitto? _server;

        internal TlsMosquitto Server => _server ?? throw new InvalidOperationException("the TLS broker did not start");

        public async Task InitializeAsync() => _server = await TlsMosquitto.StartAsync();

        public async Task DisposeAsync()
        {
            if (_server is not null)
            {
                await _server.DisposeAsync();
            }
        }
    }
}
