using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using SmartCity.IoT.Alerts;
using SmartCity.IoT.Alerts.Options;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Devices;
using SmartCity.IoT.Alerts.Stream;
using SmartCity.IoT.Gateway.HttpIngest;
using SmartCity.IoT.Gateway.Nats;
using SmartCity.IoT.Gateway.Pipeline;
using SmartCity.IoT.Gateway.Places;
using SmartCity.IoT.Gateway.Security;
using SmartCity.IoT.Gateway.Simulation;
using SmartCity.IoT.Gateway.Status;
using SmartCity.IoT.Gateway.Telemetry;
using SmartCity.IoT.Influx;
using SmartCity.IoT.Mqtt;
using SmartCity.IoT.Rules.Engine;
using SmartCity.IoT.Rules.Loading;
using SmartCity.IoT.Rules.Model;

namespace SmartCity.IoT.Gateway.Hosting;

/// <summary>Builds the gateway host: configuration, the catalog and rules (loaded up front so a bad file fails the start), services, HTTP endpoints.</summary>
internal static class GatewayHost
{
    /// <summary>Configuration sources, later ones winning: config/appsettings.json (or --config), environment (.NET form, then SMARTCITY__ prefix).</summary>
    public static void AddGatewayConfiguration(IConfigurationBuilder configuration, string? configFile)
    {
        var file = configFile ?? Environment.GetEnvironmentVariable("SMARTCITY_CONFIG");
        if (file is null)
        {
            var root = GatewayPaths.FindRepositoryRoot();
            file = root is null ? null : Path.Combine(root, "config", "appsettings.json");
        }

        if (file is not null)
        {
            configuration.AddJsonFile(Path.GetFullPath(file), optional: configFile is null, reloadOnChange: false);
        }

        configuration.AddEnvironmentVariables();
        configuration.AddEnvironmentVariables("SMARTCITY__");
    }

    /// <summary>
    /// Builds the host; <paramref name="overrides"/> (tests, tools) win over every other source, and
    /// <paramref name="configureServices"/> adds to the gateway's own registrations (another source or sink, say).
    /// </summary>
    public static WebApplication Build(string? configFile, IEnumerable<KeyValuePair<string, string?>>? overrides = null, TimeProvider? time = null, Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = [],
            ContentRootPath = GatewayPaths.FindRepositoryRoot() ?? Directory.GetCurrentDirectory(),
        });
        builder.Configuration.Sources.Clear();
        AddGatewayConfiguration(builder.Configuration, configFile);
        if (overrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(overrides);
        }
        var configuration = builder.Configuration;
        builder.WebHost.UseUrls(configuration["Http:Urls"] is { Length: > 0 } urls ? urls : "http://127.0.0.1:8080");
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });

        var services = builder.Services;
        services.AddSingleton(time ?? TimeProvider.System);
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals);
        // One style for every section: bound, checked by a compile-time generated validator (attributes) plus, where
        // values depend on each other, a hand-written one, and validated when the host starts.
        services.AddOptions<GatewayOptions>().Bind(configuration.GetSection("Gateway")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<GatewayOptions>, GatewayOptionsValidator>();
        services.AddOptions<PipelineOptions>().Bind(configuration.GetSection(PipelineOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PipelineOptions>, PipelineOptionsValidator>();
        services.AddSingleton<IValidateOptions<PipelineOptions>>(new MovedSettingsValidator(configuration));
        services.AddOptions<RuleEngineOptions>().Bind(configuration.GetSection(RuleEngineOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RuleEngineOptions>, RuleEngineOptionsValidator>();
        services.AddOptions<SimulatorHostOptions>().Bind(configuration.GetSection(SimulatorHostOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SimulatorHostOptions>, SimulatorHostOptionsValidator>();

        // Loaded now, not lazily: a broken profile or rule file stops the start with the same message `devices validate` gives.
        var gatewayOptions = configuration.GetSection("Gateway").Get<GatewayOptions>() ?? new GatewayOptions();
        var pipelineOptions = configuration.GetSection(PipelineOptions.SectionName).Get<PipelineOptions>() ?? new PipelineOptions();
        var catalog = DeviceCatalog.Load(GatewayPaths.Resolve(gatewayOptions.DevicesPath), gatewayOptions.MaxPayloadBytes);
        var rulesPath = GatewayPaths.Resolve(gatewayOptions.RulesPath);
        var rules = Directory.Exists(rulesPath) ? RuleLoader.LoadDirectory(rulesPath, catalog.Vocabulary) : RuleSet.Empty(catalog.Vocabulary);
        services.AddSingleton(catalog);
        services.AddSingleton(new DeviceRegistry(catalog.Vocabulary.Count, pipelineOptions.MaxDevices));

        // The outside systems, each behind a Core interface: sources (IMessageSource), sinks (ITelemetrySink), alert outbox (IAlertOutbox).
        services.TryAddDeadLetterStore(configuration); // the one store: rejected messages and lines InfluxDB refused
        var selection = SourceSelection.From(configuration);
        services.AddSingleton(selection);
        services.AddMqttIngest(configuration, registerSources: selection.Mqtt);
        services.AddSingleton<IValidateOptions<SmartCity.IoT.Mqtt.MqttOptions>, ProfileSourcesValidator>();
        services.AddNatsMode(configuration, selection, rules);
        services.AddHttpIngest(configuration);
        services.AddInfluxStore(configuration);
        services.PostConfigure<SpoolOptions>(o =>
        {
            o.Path = GatewayPaths.Resolve(o.Path);
        });
        services.PostConfigure<SmartCity.IoT.Core.DeadLetters.DeadLetterOptions>(o => o.Path = GatewayPaths.Resolve(o.Path));
        services.AddAlertDelivery(configuration);
        // Relative paths resolve like every other gateway path (working directory, else the repository), for the CLI's sake too.
        services.PostConfigure<AlertsOptions>(o => o.OutboxPath = GatewayPaths.Resolve(o.OutboxPath));

        services.AddIngestPipeline(rules);
        services.AddBuildingModel(configuration); // Buildings:Path; a broken model stops the start like a broken rule
        services.AddNatsState(configuration); // NATS mode: rule state per partition in a replicated bucket
        services.AddNatsAlerts(configuration); // NATS mode: alerts through a replicated stream
        services.AddHostedService<DemoSimulatorService>();
        services.AddStatusPages(configuration);
        services.AddGatewayMetrics();
        services.AddHttpSecurity(configuration);

        services.AddHealthChecks()
            .AddCheck<SourcesHealthCheck>("sources", tags: ["ready"])
            .AddCheck<StoreHealthCheck>("store", tags: ["ready"]);

        configureServices?.Invoke(services);
        var app = builder.Build();
        app.Services.StartGatewayMetrics();
        // Every page and API endpoint is in the secured group (reads: viewer, the rest: operator); probes and /metrics are not.
        app.UseHttpSecurity();
        var secured = app.MapSecured();
        app.MapStatusPages(secured);
        app.MapLogin();
        secured.MapGet("/api/status", async (StatusSnapshotBuilder status, CancellationToken ct) => Results.Json(await status.BuildAsync(ct)));
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = HealthResponse.WriteAsync });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = HealthResponse.WriteAsync });
        app.MapPrometheusScrapingEndpoint("/metrics");
        secured.MapAlertEndpoints();
        // Network servers post with their own per-source token (HttpIngest), not a page login: outside the secured group.
        app.MapHttpIngest();
        return app;
    }
}
