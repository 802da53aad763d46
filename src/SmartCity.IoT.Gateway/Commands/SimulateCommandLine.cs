using System.CommandLine;
using System.Globalization;
using SmartCity.IoT.Devices;
using SmartCity.IoT.Devices.Simulation;
using SmartCity.IoT.Gateway.Hosting;
using SmartCity.IoT.Gateway.Simulation;

namespace SmartCity.IoT.Gateway.Commands;

/// <summary><c>simulate</c>: realistic readings for the profiles, published to any MQTT broker.</summary>
internal static class SimulateCommandLine
{
    /// <summary>The command line gives up on a broker this soon (the demo, starting its own broker, waits longer).</summary>
    internal static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(4);

    public static Command Build(Option<string?> config)
    {
        var devices = new Option<string>("--devices") { Description = "Globs over profile ids, comma-separated, e.g. 'harbourtech/*' or 'milesight/*,*/lht65'", DefaultValueFactory = _ => "*" };
        var rate = new Option<double>("--rate") { Description = "Messages per second (0 = as fast as the broker takes them)", DefaultValueFactory = _ => 10 }.InRange(0, 1_000_000);
        var count = new Option<long>("--count") { Description = "Stop after this many messages (0 = until Ctrl+C or --duration)", DefaultValueFactory = _ => 0 }.AtLeast(0);
        var duration = new Option<TimeSpan?>("--duration") { Description = "Stop after this long: 90s, 5m, 2h or 00:01:30", CustomParser = OptionChecks.ParseDuration };
        var broker = new Option<string>("--broker") { Description = "host:port of the MQTT broker", DefaultValueFactory = _ => "127.0.0.1:1883" };
        broker.Validators.Add(r =>
        {
            if (!OptionChecks.TryParseEndpoint(r.GetValueOrDefault<string>(), 1883, out _, out _))
            {
                r.AddError($"--broker '{r.GetValueOrDefault<string>()}' is not host:port (port 1..65535), e.g. 127.0.0.1:1883.");
            }
        });
        var qos = new Option<int>("--qos") { Description = "MQTT quality of service: 0 or 1 (the gateway subscribes at 1)", DefaultValueFactory = _ => 1 }.InRange(0, 1);
        var perProfile = new Option<int>("--devices-per-profile") { Description = "Simulated devices per profile (1..10000)", DefaultValueFactory = _ => 3 }.InRange(1, 10_000);
        var anomalies = new Option<double>("--anomaly-rate") { Description = "Share of each device's time spent in an anomaly episode (one field held past its alert threshold for 2-8 minutes, then back to normal), 0..1 (0.02 = 2 %)", DefaultValueFactory = _ => 0.05 }.InRange(0, 1, "a share: 0.02 is 2 %");
        var seed = new Option<int?>("--seed") { Description = "Random seed, for repeatable runs" };
        var devicesRoot = new Option<string>("--devices-root") { Description = "Folder of profiles and vocabulary.yaml", DefaultValueFactory = _ => GatewayPaths.Resolve("devices") };
        var command = new Command("simulate", "Publish realistic readings for the device profiles to any MQTT broker") { devices, rate, count, duration, broker, qos, perProfile, anomalies, seed, devicesRoot, config };
        command.SetAction(async (parse, ct) =>
        {
            var catalog = DeviceCatalog.Load(parse.GetValue(devicesRoot)!);
            var pattern = parse.GetValue(devices)!;
            if (DeviceSimulator.MatchingProfiles(catalog, pattern).Count == 0)
            {
                throw new CommandLineException($"--devices '{pattern}' matches no profile id. Profile ids: {string.Join(", ", catalog.Profiles.Select(p => p.Id))}.");
            }

            var simulator = new DeviceSimulator(catalog, new SimulatorOptions
            {
                DevicePattern = pattern,
                DevicesPerProfile = parse.GetValue(perProfile),
                AnomalyRate = parse.GetValue(anomalies),
                Seed = parse.GetValue(seed),
            }, TimeProvider.System);
            OptionChecks.TryParseEndpoint(parse.GetValue(broker)!, 1883, out var host, out var port);
            var total = parse.GetValue(count);
            var limit = parse.GetValue(duration);
            var settings = new PublishSettings(host, port, parse.GetValue(qos), parse.GetValue(rate), total, limit, $"smartcity-simulate-{Environment.ProcessId}")
            {
                ConnectTimeout = ConnectTimeout,
            };
            long sent = 0;
            var started = TimeProvider.System.GetTimestamp();
            long accepted;
            try
            {
                if (total > 0 || limit is not null)
                {
                    // The bar follows whichever ends the run: the count, else the duration.
                    accepted = await CommandProgress.RunAsync($"publishing to {host}:{port}",
                        () => total > 0 ? total : limit!.Value.TotalSeconds,
                        () => total > 0 ? Volatile.Read(ref sent) : TimeProvider.System.GetElapsedTime(started).TotalSeconds,
                        () => SimulationPublisher.RunAsync(simulator, settings, TimeProvider.System, ct, n => Volatile.Write(ref sent, n))).ConfigureAwait(false);
                }
                else
                {
                    Console.WriteLine($"publishing to {host}:{port} until Ctrl+C");
                    accepted = await SimulationPublisher.RunAsync(simulator, settings, TimeProvider.System, ct, n =>
                    {
                        if (n % 10_000 == 0)
                        {
                            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{n} published"));
                        }
                    }).ConfigureAwait(false);
                }
            }
            catch (BrokerUnreachableException ex)
            {
                throw new CommandLineException($"{ex.Message} (--broker; is the broker running? gave up after {ConnectTimeout.TotalSeconds:0} s)");
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{accepted} messages published to {host}:{port}"));
            return 0;
        });
        return command;
    }
}
