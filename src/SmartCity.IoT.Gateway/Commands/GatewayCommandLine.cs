using System.CommandLine;
using SmartCity.IoT.Alerts;
using SmartCity.IoT.Core.Loading;
using SmartCity.IoT.Devices;
using SmartCity.IoT.Devices.Commands;
using SmartCity.IoT.Devices.Simulation;
using SmartCity.IoT.Gateway.Hosting;
using SmartCity.IoT.Gateway.Simulation;
using SmartCity.IoT.Influx;
using SmartCity.IoT.Rules.Engine;
using SmartCity.IoT.Rules.Loading;
using SmartCity.IoT.Rules.Model;

namespace SmartCity.IoT.Gateway.Commands;

/// <summary>The gateway's command line: `run` (the default) and the vendor / operator tools.</summary>
internal static class GatewayCommandLine
{
    public static RootCommand Build()
    {
        var config = new Option<string?>("--config") { Description = "Configuration file (default: config/appsettings.json; SMARTCITY_CONFIG also works)" };
        var root = new RootCommand("SmartCity.IoT: MQTT building telemetry to rules, alert webhooks and InfluxDB. Without a command it runs the gateway.") { config };
        root.SetAction((parse, ct) => RunAsync(parse.GetValue(config), ct));

        var run = new Command("run", "Run the gateway (the default)") { config };
        run.SetAction((parse, ct) => RunAsync(parse.GetValue(config), ct));
        root.Subcommands.Add(run);
        root.Subcommands.Add(DevicesCommand());
        root.Subcommands.Add(SimulateCommand(config));
        root.Subcommands.Add(SpoolCommand(config));
        root.Subcommands.Add(AlertsCommand(config));
        root.Subcommands.Add(RulesCommand(config));
        return root;
    }

    private static async Task<int> RunAsync(string? configFile, CancellationToken cancellationToken)
    {
        WebApplication app;
        try
        {
            app = GatewayHost.Build(configFile);
        }
        catch (DiagnosticException ex) when (ex.Subject == DeviceCatalog.DiagnosticSubject)
        {
            await Console.Error.WriteLineAsync("The gateway did not start: the device profiles have errors (the same list `devices validate` prints):").ConfigureAwait(false);
            foreach (var error in ex.Errors)
            {
                await Console.Error.WriteLineAsync("  " + error).ConfigureAwait(false);
            }

            return 1;
        }
        catch (DiagnosticException ex) when (ex.Subject == RuleLoader.DiagnosticSubject)
        {
            await Console.Error.WriteLineAsync("The gateway did not start: the alert rules have errors:").ConfigureAwait(false);
            foreach (var error in ex.Errors)
            {
                await Console.Error.WriteLineAsync("  " + error).ConfigureAwait(false);
            }

            return 1;
        }

        try
        {
            await app.RunAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        }
        catch (Microsoft.Extensions.Options.OptionsValidationException ex)
        {
            await Console.Error.WriteLineAsync("The gateway did not start: invalid configuration:").ConfigureAwait(false);
            foreach (var failure in ex.Failures)
            {
                await Console.Error.WriteLineAsync("  " + failure).ConfigureAwait(false);
            }

            return 1;
        }
    }

    private static Command DevicesCommand()
    {
        var devicesRoot = new Option<string>("--devices-root") { Description = "Folder of profiles and vocabulary.yaml", DefaultValueFactory = _ => GatewayPaths.Resolve("devices") };

        var paths = new Argument<string[]>("paths") { Description = "Profile files or folders (default: all of devices/)", Arity = ArgumentArity.ZeroOrMore };
        var validate = new Command("validate", "Check profiles against the schema, the vocabulary and their own samples; exit 1 on any error") { paths, devicesRoot };
        validate.SetAction(parse => DeviceCommands.Validate(parse.GetValue(paths) ?? [], parse.GetValue(devicesRoot)!, Console.Out));

        var profile = new Argument<string>("profile") { Description = "The profile file" };
        var topic = new Option<string>("--topic") { Description = "MQTT topic the payload arrives on", Required = true };
        var payloadFile = new Option<string?>("--payload") { Description = "File holding the payload bytes" };
        var hex = new Option<string?>("--hex") { Description = "Payload as hex" };
        var text = new Option<string?>("--text") { Description = "Payload as text (JSON or a single value)" };
        var test = new Command("test", "Decode one payload with a profile and print the reading") { profile, topic, payloadFile, hex, text, devicesRoot };
        test.SetAction(parse =>
        {
            byte[] bytes;
            if (parse.GetValue(payloadFile) is { } file)
            {
                bytes = File.ReadAllBytes(file);
            }
            else if (parse.GetValue(hex) is { } h)
            {
                bytes = Convert.FromHexString(h.Replace(" ", "", StringComparison.Ordinal));
            }
            else if (parse.GetValue(text) is { } t)
            {
                bytes = System.Text.Encoding.UTF8.GetBytes(t);
            }
            else
            {
                Console.Error.WriteLine("Give the payload with --payload FILE, --hex HEX or --text TEXT.");
                return 2;
            }

            return DeviceCommands.Test(parse.GetValue(profile)!, parse.GetValue(topic)!, bytes, parse.GetValue(devicesRoot)!, Console.Out);
        });

        return new Command("devices", "Tools for device profiles (for vendors)") { validate, test };
    }

    private static Command SimulateCommand(Option<string?> config)
    {
        var devices = new Option<string>("--devices") { Description = "Glob over profile ids, e.g. 'pavilion/*'", DefaultValueFactory = _ => "*" };
        var rate = new Option<double>("--rate") { Description = "Messages per second (0 = as fast as the broker takes them)", DefaultValueFactory = _ => 10 };
        var count = new Option<long>("--count") { Description = "Stop after this many messages (0 = until Ctrl+C)", DefaultValueFactory = _ => 0 };
        var duration = new Option<TimeSpan?>("--duration") { Description = "Stop after this long, e.g. 00:01:00" };
        var broker = new Option<string>("--broker") { Description = "host:port of the broker", DefaultValueFactory = _ => "127.0.0.1:1883" };
        var qos = new Option<int>("--qos") { Description = "0 or 1", DefaultValueFactory = _ => 1 };
        var perProfile = new Option<int>("--devices-per-profile") { Description = "Simulated devices per profile", DefaultValueFactory = _ => 3 };
        var anomalies = new Option<double>("--anomaly-rate") { Description = "Share of readings with an anomaly, 0..1", DefaultValueFactory = _ => 0.02 };
        var seed = new Option<int?>("--seed") { Description = "Random seed, for repeatable runs" };
        var devicesRoot = new Option<string>("--devices-root") { DefaultValueFactory = _ => GatewayPaths.Resolve("devices") };
        var command = new Command("simulate", "Publish realistic readings for the device profiles to any MQTT broker") { devices, rate, count, duration, broker, qos, perProfile, anomalies, seed, devicesRoot, config };
        command.SetAction(async (parse, ct) =>
        {
            var catalog = DeviceCatalog.Load(parse.GetValue(devicesRoot)!);
            var simulator = new DeviceSimulator(catalog, new SimulatorOptions
            {
                DevicePattern = parse.GetValue(devices)!,
                DevicesPerProfile = parse.GetValue(perProfile),
                AnomalyRate = parse.GetValue(anomalies),
                Seed = parse.GetValue(seed),
            }, TimeProvider.System);
            var (host, port) = ParseBroker(parse.GetValue(broker)!);
            var settings = new PublishSettings(host, port, parse.GetValue(qos), parse.GetValue(rate), parse.GetValue(count), parse.GetValue(duration), $"smartcity-simulate-{Environment.ProcessId}");
            var sent = await SimulationPublisher.RunAsync(simulator, settings, TimeProvider.System, ct, n => Console.WriteLine($"{n} published")).ConfigureAwait(false);
            Console.WriteLine($"{sent} messages published to {host}:{port}");
            return 0;
        });
        return command;
    }

    private static Command SpoolCommand(Option<string?> config)
    {
        var path = new Option<string?>("--path") { Description = "Spool folder (default: Spool:Path from configuration)" };
        var status = new Command("status", "Show what the spool holds") { path, config };
        status.SetAction(parse => SpoolCommands.Status(SpoolPath(parse.GetValue(path), parse.GetValue(config)), Console.Out, DeadLetters(parse.GetValue(config)).Path));

        var to = new Option<string>("--to") { Description = "InfluxDB base URL to drain the spool into", Required = true };
        var api = new Option<string>("--api") { Description = "v2 or v1", DefaultValueFactory = _ => "v2" };
        var org = new Option<string?>("--org");
        var bucket = new Option<string?>("--bucket");
        var token = new Option<string?>("--token") { Description = "API token (or SMARTCITY__Influx__Token)" };
        var database = new Option<string?>("--db");
        var replay = new Command("replay", "Send everything in the spool to an InfluxDB, in order") { path, to, api, org, bucket, token, database, config };
        replay.SetAction(async (parse, ct) =>
        {
            var target = new InfluxOptions
            {
                Url = parse.GetValue(to)!,
                Api = Enum.Parse<InfluxApi>(parse.GetValue(api)!, ignoreCase: true),
                Org = parse.GetValue(org) ?? "",
                Bucket = parse.GetValue(bucket) ?? "",
                Token = parse.GetValue(token) ?? Environment.GetEnvironmentVariable("SMARTCITY__Influx__Token") ?? "",
                Database = parse.GetValue(database) ?? "",
            };
            return await SpoolCommands.ReplayAsync(SpoolPath(parse.GetValue(path), parse.GetValue(config)), target.Url, target, DeadLetters(parse.GetValue(config)), Console.Out, ct).ConfigureAwait(false);
        });
        return new Command("spool", "Inspect or drain the local spool") { status, replay };
    }

    private static Command AlertsCommand(Option<string?> config)
    {
        var outbox = new Option<string?>("--outbox") { Description = "Outbox database (default: Alerts:OutboxPath from configuration)" };
        var list = new Command("list", "List notifications that exhausted their retries") { outbox, config };
        list.SetAction(parse => AlertCommands.DeadLetterList(OutboxPath(parse.GetValue(outbox), parse.GetValue(config)), Console.Out));
        var id = new Argument<string?>("id") { Description = "Dead letter to retry (default: all)", Arity = ArgumentArity.ZeroOrOne };
        var retry = new Command("retry", "Put dead-lettered notifications back in the outbox") { id, outbox, config };
        retry.SetAction(parse => AlertCommands.DeadLetterRetry(OutboxPath(parse.GetValue(outbox), parse.GetValue(config)), parse.GetValue(id), Console.Out));
        var deadLetter = new Command("dead-letter", "Webhook notifications that could not be delivered") { list, retry };
        return new Command("alerts", "Alert delivery tools (for operators)") { deadLetter };
    }

    private static Command RulesCommand(Option<string?> config)
    {
        var path = new Argument<string?>("path") { Description = "Rules folder (default: config/rules)", Arity = ArgumentArity.ZeroOrOne };
        var devicesRoot = new Option<string>("--devices-root") { DefaultValueFactory = _ => GatewayPaths.Resolve("devices") };
        var validate = new Command("validate", "Check rule files; exit 1 on any error") { path, devicesRoot };
        validate.SetAction(parse =>
        {
            var catalog = DeviceCatalog.Load(parse.GetValue(devicesRoot)!);
            var dir = parse.GetValue(path) ?? GatewayPaths.Resolve("config/rules");
            try
            {
                var rules = RuleLoader.LoadDirectory(dir, catalog.Vocabulary);
                Console.WriteLine($"{dir}: {rules.Count} rules, no errors");
                return 0;
            }
            catch (DiagnosticException ex)
            {
                foreach (var error in ex.Errors)
                {
                    Console.WriteLine(error);
                }

                Console.WriteLine($"{ex.Errors.Count} error(s)");
                return 1;
            }
        });
        return new Command("rules", "Tools for alert rules") { validate };
    }

    private static IConfiguration LoadConfiguration(string? configFile)
    {
        var builder = new ConfigurationBuilder();
        GatewayHost.AddGatewayConfiguration(builder, configFile);
        return builder.Build();
    }

    private static string SpoolPath(string? explicitPath, string? configFile) =>
        GatewayPaths.Resolve(explicitPath ?? LoadConfiguration(configFile)["Spool:Path"] ?? "data/spool");

    /// <summary>The <c>DeadLetter</c> section, its path resolved like the gateway's.</summary>
    private static SmartCity.IoT.Core.DeadLetters.DeadLetterOptions DeadLetters(string? configFile)
    {
        var options = LoadConfiguration(configFile).GetSection(SmartCity.IoT.Core.DeadLetters.DeadLetterOptions.SectionName).Get<SmartCity.IoT.Core.DeadLetters.DeadLetterOptions>() ?? new();
        options.Path = GatewayPaths.Resolve(options.Path);
        return options;
    }

    private static string OutboxPath(string? explicitPath, string? configFile) =>
        GatewayPaths.Resolve(explicitPath ?? LoadConfiguration(configFile)["Alerts:OutboxPath"] ?? "data/alerts.db");

    private static (string Host, int Port) ParseBroker(string broker)
    {
        var colon = broker.LastIndexOf(':');
        return colon < 0 ? (broker, 1883) : (broker[..colon], int.Parse(broker[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }
}
