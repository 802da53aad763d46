using System.Diagnostics;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.IntegrationTests.Infrastructure;

/// <summary>
/// One real Mosquitto with a CA and certificates made by <see cref="TestPki"/> and these listeners on loopback
/// (<c>per_listener_settings</c>, so each has its own rules): plain for the test's publisher, TLS, mutual TLS
/// (<c>require_certificate true</c>), TLS with a <c>mosquitto_passwd</c> password file and an ACL, and TLS with an expired
/// server certificate. Also the certificates the wrong-credential cases need.
/// </summary>
internal sealed class TlsMosquitto : IAsyncDisposable
{
    public const string User = "gateway";

    /// <summary>The ACL lets <see cref="User"/> read floor 3 only.</summary>
    public const string AllowedFilter = "buildings/hq/floors/3/env/+/telemetry";

    public const string DeniedFilter = "buildings/hq/floors/4/env/+/telemetry";

    private readonly ServerProcess _process;

    private TlsMosquitto(string dir)
    {
        Dir = dir;
        var pki = new TestPki(dir);
        CaFile = pki.Ca("site-ca");
        OtherCaFile = pki.Ca("other-ca");
        (ServerCert, _) = pki.Issue(CaFile, "broker", client: false);
        var (expiredServer, _) = pki.Issue(CaFile, "broker-expired", client: false, days: -1);
        (ClientCert, ClientKey) = pki.Issue(CaFile, "gateway-client", client: true);
        (ExpiredClientCert, ExpiredClientKey) = pki.Issue(CaFile, "gateway-expired", client: true, days: -1);
        (ForeignClientCert, ForeignClientKey) = pki.Issue(OtherCaFile, "gateway-foreign", client: true);
        ServerPin = pki.SpkiPin(ServerCert);
        PasswordFile = Path.Combine(dir, "gateway.password");
        File.WriteAllText(PasswordFile, Password + "\n");
        var passwd = Path.Combine(dir, "passwd");
        Run("/usr/bin/mosquitto_passwd", "-c", "-b", passwd, User, Password);
        var acl = Path.Combine(dir, "acl");
        File.WriteAllText(acl, $"user {User}\ntopic read buildings/hq/floors/3/#\n");
        (PlainPort, TlsPort, MutualPort, PasswordPort, ExpiredPort) = (FreePort.Next(), FreePort.Next(), FreePort.Next(), FreePort.Next(), FreePort.Next());
        string Tls(string cert) => $"cafile {CaFile}\ncertfile {cert}\nkeyfile {TestPki.KeyOf(cert)}\n";
        var config = Path.Combine(dir, "mosquitto.conf");
        File.WriteAllText(config, $"""
            per_listener_settings true
            user {Environment.UserName}
            persistence false
            log_type all

            listener {PlainPort} 127.0.0.1
            allow_anonymous true

            listener {TlsPort} 127.0.0.1
            allow_anonymous true
            {Tls(ServerCert)}
            listener {MutualPort} 127.0.0.1
            allow_anonymous true
            require_certificate true
            {Tls(ServerCert)}
            listener {PasswordPort} 127.0.0.1
            allow_anonymous false
            password_file {passwd}
            acl_file {acl}
            {Tls(ServerCert)}
            listener {ExpiredPort} 127.0.0.1
            allow_anonymous true
            {Tls(expiredServer)}
            """);
        _process = new ServerProcess(TestEnvironment.Mosquitto, ["-c", config]);
    }

    public const string Password = "correct horse battery";

    public string Dir { get; }

    public string CaFile { get; }

    public string OtherCaFile { get; }

    public string ServerCert { get; }

    /// <summary>sha256/… of the broker certificate's public key, as openssl computes it.</summary>
    public string ServerPin { get; }

    public string ClientCert { get; }

    public string ClientKey { get; }

    public string ExpiredClientCert { get; }

    public string ExpiredClientKey { get; }

    public string ForeignClientCert { get; }

    public string ForeignClientKey { get; }

    public string PasswordFile { get; }

    public int PlainPort { get; }

    public int TlsPort { get; }

    public int MutualPort { get; }

    public int PasswordPort { get; }

    public int ExpiredPort { get; }

    public string Output => _process.Output;

    public static async Task<TlsMosquitto> StartAsync()
    {
        var broker = new TlsMosquitto(Directory.CreateTempSubdirectory("smartcity-tls-").FullName);
        broker._process.Start();
        foreach (var port in new[] { broker.PlainPort, broker.TlsPort, broker.MutualPort, broker.PasswordPort, broker.ExpiredPort })
        {
            await Eventually.WaitAsync(() => Task.FromResult(broker.IsRunning && FreePort.Listens(port)), ok => ok || !broker.IsRunning, TimeSpan.FromSeconds(10), $"mosquitto listening on {port}");
            if (!broker.IsRunning)
            {
                throw new InvalidOperationException($"mosquitto exited: {broker.Output}");
            }
        }

        return broker;
    }

    private bool IsRunning => _process.IsRunning;

    public ValueTask DisposeAsync()
    {
        _process.Dispose();
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean.
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Runs a command-line tool (openssl, mosquitto_passwd, mosquitto_ctrl) to its end; a failure carries its error output.</summary>
    public static void Run(string file, params string[] arguments)
    {
        if (!File.Exists(file))
        {
            throw new InvalidOperationException($"'{file}' is not installed: run ./test.sh, which installs mosquitto and openssl.");
        }

        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed ({process.ExitCode}): {stderr.Result}");
        }
    }
}
