using System.CommandLine;
using SmartCity.IoT.Devices;
using SmartCity.IoT.Gateway.Hosting;
using SmartCity.IoT.Gateway.Nats;
using SmartCity.IoT.Nats;

namespace SmartCity.IoT.Gateway.Commands;

/// <summary>
/// <c>nats init</c>: creates the readings stream and the key-value buckets the gateway's NATS mode needs;
/// <c>nats mappings</c>: writes the nats-server partition mapping of the device profiles.
/// </summary>
internal static class NatsCommandLine
{
    public static Command Build(Option<string?> config)
    {
        var url = new Option<string?>("--url") { Description = "NATS server (default: Nats:Url from configuration), e.g. nats://127.0.0.1:4222" };
        var replicas = new Option<int>("--replicas") { Description = "Copies of the stream and buckets (1, or 3 on a three-node cluster)", DefaultValueFactory = _ => 1 }.InRange(1, 5);
        var maxAge = new Option<string>("--max-age") { Description = "How long readings stay in the stream, acknowledged or not (e.g. 24h, 7d)", DefaultValueFactory = _ => "24h" };
        maxAge.Validators.Add(r =>
        {
            var text = r.GetValueOrDefault<string>();
            if (!OptionChecks.TryParseDuration(text, out var age) || age < TimeSpan.FromMinutes(1))
            {
                r.AddError($"--max-age '{text}' is not a duration of at least 1m: write e.g. 90m, 24h or 7d.");
            }
        });
        var init = new Command("init", "Create or update the readings stream and the key-value buckets (idempotent)") { url, replicas, maxAge, config };
        init.SetAction(async (parse, ct) =>
        {
            var options = GatewayCommandLine.LoadConfiguration(parse.GetValue(config)).GetSection(NatsOptions.SectionName).Get<NatsOptions>() ?? new NatsOptions();
            options.Url = parse.GetValue(url) ?? options.Url;
            if (string.IsNullOrWhiteSpace(options.Url))
            {
                throw new CommandLineException("no NATS server: give --url nats://host:4222 or set Nats:Url in the configuration.");
            }

            OptionChecks.TryParseDuration(parse.GetValue(maxAge)!, out var age);
            var settings = new NatsSetupSettings(parse.GetValue(replicas), age, TimeSpan.FromSeconds(4));
            try
            {
                foreach (var line in await NatsSetup.InitAsync(options, settings, ct).ConfigureAwait(false))
                {
                    Console.Out.WriteLine(line);
                }
            }
            catch (NatsSetupException ex)
            {
                throw new CommandLineException(ex.Message);
            }

            return 0;
        });
        return new Command("nats", "Set up NATS JetStream for the gateway") { init, MappingsCommand(config) };
    }

    /// <summary>
    /// Writes the <c>mappings</c> block of <paramref name="devicesRoot"/>'s profiles to <paramref name="output"/> and one
    /// note per problem to <paramref name="notes"/>; 0 when a mapping was written. Option mistakes and a catalog with no
    /// mappable template throw <see cref="CommandLineException"/>; broken profiles the catalog's <c>DiagnosticException</c>.
    /// </summary>
    internal static int WriteMappings(int? partitions, string? by, string? prefix, string? devicesRoot, string? configFile, TextWriter output, TextWriter notes)
    {
        var configuration = GatewayCommandLine.LoadConfiguration(configFile);
        var nats = configuration.GetSection(NatsOptions.SectionName).Get<NatsOptions>() ?? new NatsOptions();
        var count = partitions ?? nats.Partitions;
        if (count is < 1 or > 1024)
        {
            throw new CommandLineException(partitions is null
                ? $"no partition count: give --partitions N (1 to 1024) or set Nats:Partitions in the configuration (it is {nats.Partitions})."
                : $"--partitions {count}: give 1 to 1024 partitions, the number every gateway's Nats:Partitions will be set to.");
        }

        var partitionPrefix = prefix ?? nats.PartitionPrefix;
        if (string.IsNullOrWhiteSpace(partitionPrefix) || partitionPrefix.IndexOfAny(['.', '*', '>', '"', '\\']) >= 0 || partitionPrefix.Any(char.IsWhiteSpace))
        {
            throw new CommandLineException($"{(prefix is null ? "Nats:PartitionPrefix" : "--prefix")} '{partitionPrefix}' is not one subject token: non-empty, without '.', '*', '>', quotes or spaces.");
        }

        var gateway = configuration.GetSection("Gateway").Get<GatewayOptions>() ?? new GatewayOptions();
        var catalog = DeviceCatalog.Load(devicesRoot ?? GatewayPaths.Resolve(gateway.DevicesPath));
        var templates = new List<MappingTemplate>();
        foreach (var profile in catalog.Profiles)
        {
            var file = profile.SourcePath is { } path ? DisplayPath(path) : profile.Id;
            templates.AddRange(profile.Decoding.Topics.Select(t => new MappingTemplate(profile.Id, file, t, Source: profile.Source)));
            if (profile.Decoding.Availability is { } availability)
            {
                templates.Add(new MappingTemplate(profile.Id, file, availability.Template, IsAvailability: true, Source: profile.Source));
            }
        }

        if (by is not null && PartitionMapping.CheckBy(by, templates) is { } wrong)
        {
            throw new CommandLineException(wrong + ".");
        }

        var mapping = PartitionMapping.Build(templates, count, partitionPrefix, by, nats.Name);
        foreach (var note in mapping.Notes)
        {
            notes.WriteLine(note);
        }

        if (mapping.Mappings.Count == 0)
        {
            throw new CommandLineException($"no profile's topic could be mapped ({templates.Count} template(s) in {catalog.Profiles.Count} profile(s), each named in a note above).", 1);
        }

        mapping.WriteConfig(output);
        return 0;
    }

    private static Command MappingsCommand(Option<string?> config)
    {
        var partitions = new Option<int>("--partitions") { Description = "Partition count (default: Nats:Partitions from configuration); every gateway's Nats:Partitions must equal it" };
        var by = new Option<string?>("--by") { Description = "Partition by this named topic segment (e.g. building, floor) where a profile has it, instead of the device id" };
        var prefix = new Option<string?>("--prefix") { Description = "First subject token of a partition (default: Nats:PartitionPrefix, p)" };
        var devicesRoot = new Option<string?>("--devices-root") { Description = "Folder of profiles and vocabulary.yaml (default: Gateway:DevicesPath from configuration, devices)" };
        var mappings = new Command("mappings", "Print the nats-server 'mappings' block that partitions every profile's subjects; notes on stderr") { partitions, by, prefix, devicesRoot, config };
        mappings.SetAction(parse => WriteMappings(parse.GetResult(partitions) is { Implicit: false } ? parse.GetValue(partitions) : null, parse.GetValue(by), parse.GetValue(prefix), parse.GetValue(devicesRoot), parse.GetValue(config), Console.Out, Console.Error));
        return mappings;
    }

    private static string DisplayPath(string fullPath)
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, fullPath);
        return relative.StartsWith("..", StringComparison.Ordinal) ? fullPath : relative;
    }
}
