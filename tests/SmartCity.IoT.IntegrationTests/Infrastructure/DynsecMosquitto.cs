using SmartCity.IoT.Testing;

namespace SmartCity.IoT.IntegrationTests.Infrastructure;

/// <summary>
/// A real Mosquitto with its dynamic-security plugin, which (unlike <c>acl_file</c> in Mosquitto 2.0, which grants every
/// subscription and drops what it forbids on delivery) refuses a forbidden subscription in the SUBACK. Set up with
/// <c>mosquitto_ctrl</c>: user <see cref="TlsMosquitto.User"/> may subscribe to floor 3 only.
/// </summary>
internal sealed class DynsecMosquitto : IAsyncDisposable
{
    private const string Plugin = "/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so";
    private const string Admin = "admin";
    private const string AdminPassword = "admin-secret";

    private readonly string _dir;
    private readonly ServerProcess _process;

    private DynsecMosquitto(string dir)
    {
        _dir = dir;
        Port = FreePort.Next();
        var state = Path.Combine(dir, "dynamic-security.json");
        TlsMosquitto.Run("/usr/bin/mosquitto_ctrl", "dynsec", "init", state, Admin, AdminPassword);
        var config = Path.Combine(dir, "mosquitto.conf");
        File.WriteAllText(config, $"""
            user {Environment.UserName}
            persistence false
            plugin {Plugin}
            plugin_opt_config_file {state}
            listener {Port} 127.0.0.1
            """);
        _process = new ServerProcess(TestEnvironment.Mosquitto, ["-c", config]);
    }

    public int Port { get; }

    public static async Task<DynsecMosquitto> StartAsync()
    {
        if (!File.Exists(Plugin))
        {
            throw new InvalidOperationException($"{Plugin} is missing: run ./test.sh, which installs mosquitto (its Debian package ships the plugin).");
        }

        var broker = new DynsecMosquitto(Directory.CreateTempSubdirectory("smartcity-dynsec-").FullName);
        broker._process.Start();
        await Eventually.WaitAsync(() => Task.FromResult(FreePort.Listens(broker.Port)), ok => ok, TimeSpan.FromSeconds(10), $"mosquitto (dynamic security) on {broker.Port}: {broker._process.Output}");
        broker.Control("createClient", TlsMosquitto.User, "-p", TlsMosquitto.Password);
        broker.Control("createRole", "floor3-reader");
        broker.Control("addRoleACL", "floor3-reader", "subscribePattern", "buildings/hq/floors/3/#", "allow");
        broker.Control("addClientRole", TlsMosquitto.User, "floor3-reader");
        return broker;
    }

    public ValueTask DisposeAsync()
    {
        _process.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean.
        }

        return ValueTask.CompletedTask;
    }

    private void Control(params string[] command) =>
        TlsMosquitto.Run("/usr/bin/mosquitto_ctrl", ["-h", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-u", Admin, "-P", AdminPassword, "dynsec", .. command]);
}
