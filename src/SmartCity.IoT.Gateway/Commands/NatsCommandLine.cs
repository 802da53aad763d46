using System.CommandLine;
using SmartCity.IoT.Nats;

namespace SmartCity.IoT.Gateway.Commands;

/// <summary><c>nats init</c>: creates the readings stream and the key-value buckets the gateway's NATS mode needs.</summary>
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
        return new Command("nats", "Set up NATS JetStream for the gateway") { init };
    }
}
