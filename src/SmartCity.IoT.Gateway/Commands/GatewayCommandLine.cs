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
        root.Subcommands.Add(DevicesCommandLine.Build());
        root.Subcommands.Add(SimulateCommandLine.Build(config));
        root.Subcommands.Add(SpoolCommandLine.Build(config));
        root.Subcommands.Add(AlertsCommand(config));
        root.Subcommands.Add(RulesCommandLine.Build());
        root.Subcommands.Add(AuthCommandLine.Build());
        root.Subcommands.Add(NatsCommandLine.Build(config));
        return root;
    }

    /// <summary>
    /// Parses and runs <paramref name="args"/>: the one place a failure becomes a message and an exit code. A user mistake
    /// or an unreachable server prints one clear sentence, never a stack trace (SMARTCITY_DEBUG=1 adds it, for bug reports).
    /// </summary>
    public static async Task<int> InvokeAsync(string[] args, CancellationToken cancellationToken = default)
    {
        var parse = Build().Parse(args);
        if (parse.Action is System.CommandLine.Invocation.ParseErrorAction errorAction)
        {
            // The error alone, then where to look: the full help buried the one line that mattered.
            errorAction.ShowHelp = false;
        }

        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, Output = Console.Out, Error = Console.Error }, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return 130;
        }
        catch (Exception ex)
        {
            return Report(ex, Console.Error);
        }
    }

    private static int Report(Exception exception, TextWriter error)
    {
        var code = 1;
        switch (exception)
        {
            case CommandLineException ex:
                error.WriteLine("error: " + ex.Message);
                code = ex.ExitCode;
                break;
            case DiagnosticException ex:
                error.WriteLine($"error: {ex.Subject} have {ex.Errors.Count} error(s):");
                foreach (var e in ex.Errors)
                {
                    error.WriteLine("  " + e);
                }

                break;
            case Microsoft.Extensions.Options.OptionsValidationException ex:
                error.WriteLine("error: invalid configuration:");
                foreach (var failure in ex.Failures)
                {
                    error.WriteLine("  " + failure);
                }

                break;
            default:
                var inner = exception;
                while (inner.InnerException is not null && inner is AggregateException or System.Reflection.TargetInvocationException)
                {
                    inner = inner.InnerException;
                }

                error.WriteLine($"error: {inner.Message}");
                break;
        }

        if (Environment.GetEnvironmentVariable("SMARTCITY_DEBUG") is "1" or "true")
        {
            error.WriteLine(exception.ToString());
        }

        return code;
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

    internal static IConfiguration LoadConfiguration(string? configFile)
    {
        var builder = new ConfigurationBuilder();
        GatewayHost.AddGatewayConfiguration(builder, configFile);
        return builder.Build();
    }

    internal static string SpoolPath(string? explicitPath, string? configFile) =>
        GatewayPaths.Resolve(explicitPath ?? LoadConfiguration(configFile)["Spool:Path"] ?? "data/spool");

    /// <summary>The <c>DeadLetter</c> section, its path resolved like the gateway's.</summary>
    internal static SmartCity.IoT.Core.DeadLetters.DeadLetterOptions DeadLetters(string? configFile)
    {
        var options = LoadConfiguration(configFile).GetSection(SmartCity.IoT.Core.DeadLetters.DeadLetterOptions.SectionName).Get<SmartCity.IoT.Core.DeadLetters.DeadLetterOptions>() ?? new();
        options.Path = GatewayPaths.Resolve(options.Path);
        return options;
    }

    private static string OutboxPath(string? explicitPath, string? configFile) =>
        GatewayPaths.Resolve(explicitPath ?? LoadConfiguration(configFile)["Alerts:OutboxPath"] ?? "data/alerts.db");
}
