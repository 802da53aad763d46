using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SmartCity.IoT.Alerts.Delivery;
using SmartCity.IoT.Alerts.Options;
using SmartCity.IoT.Alerts.Outbox;
using SmartCity.IoT.Alerts.Routing;
using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Core.Security;

namespace SmartCity.IoT.Alerts;

public static class AlertsServiceCollectionExtensions
{
    /// <summary>The named HttpClient webhooks are sent with (no redirects, no client-wide timeout: each endpoint has its own).</summary>
    public const string HttpClientName = "SmartCity.IoT.Alerts.Webhooks";

    /// <summary>
    /// Registers validated options (<c>Alerts</c>, <c>Webhooks</c>), the SQLite <see cref="AlertOutbox"/>, <see cref="IAlertOutbox"/>
    /// (<see cref="OutboxAlertPublisher"/>), <see cref="IFiringAlertSource"/> (for reconciling the rule engine at start), the routing and
    /// delivery background services, and <see cref="AlertStatusService"/>.
    /// </summary>
    public static IServiceCollection AddAlertDelivery(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<AlertsOptions>().Bind(configuration.GetSection(AlertsOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AlertsOptions>, AlertsOptionsValidator>());
        services.AddOptions<WebhooksOptions>().Configure(o => configuration.GetSection(WebhooksOptions.SectionName).Bind(o.Endpoints))
            .PostConfigure(ReadSecretFiles).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WebhooksOptions>, WebhooksOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        services.TryAddSingleton<IReadOnlyList<WebhookEndpoint>>(sp =>
        {
            var alerts = sp.GetRequiredService<IOptions<AlertsOptions>>().Value;
            return sp.GetRequiredService<IOptions<WebhooksOptions>>().Value.Endpoints
                .Select((e, i) => new WebhookEndpoint(WebhookEndpoint.NameOf(e, i), e, alerts)).ToArray();
        });
        services.TryAddSingleton(sp => new AlertOutbox(sp.GetRequiredService<IOptions<AlertsOptions>>().Value.OutboxPath, sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new AlertRouter(
            sp.GetRequiredService<AlertOutbox>(),
            sp.GetRequiredService<IOptions<AlertsOptions>>().Value,
            sp.GetRequiredService<IReadOnlyList<WebhookEndpoint>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<AlertRouter>()));
        // The factory's request logging would write the full URL, which for incoming webhooks is the credential; the
        // dispatcher logs every outcome itself, with the URL redacted.
        services.AddHttpClient(HttpClientName)
            .RemoveAllLoggers()
            .ConfigureHttpClient(c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        services.TryAddSingleton(sp => new WebhookDispatcher(
            sp.GetRequiredService<AlertOutbox>(),
            sp.GetRequiredService<IOptions<AlertsOptions>>().Value,
            sp.GetRequiredService<IReadOnlyList<WebhookEndpoint>>(),
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<WebhookDispatcher>()));
        services.TryAddSingleton<OutboxAlertPublisher>();
        services.AddSingleton<IAlertOutbox>(sp => sp.GetRequiredService<OutboxAlertPublisher>());
        services.TryAddSingleton<IFiringAlertSource>(sp => new OutboxFiringAlertSource(sp.GetRequiredService<AlertOutbox>()));
        services.TryAddSingleton(sp => new AlertStatusService(
            sp.GetRequiredService<AlertOutbox>(),
            sp.GetRequiredService<IOptions<AlertsOptions>>().Value,
            sp.GetRequiredService<IReadOnlyList<WebhookEndpoint>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<WebhookDispatcher>()));
        services.AddHostedService<AlertRoutingService>();
        services.AddHostedService<AlertDeliveryService>();
        return services;
    }

    private static void ReadSecretFiles(WebhooksOptions options)
    {
        for (var i = 0; i < options.Endpoints.Count; i++)
        {
            var e = options.Endpoints[i];
            if (string.IsNullOrWhiteSpace(e.SecretFile))
            {
                continue;
            }

            e.FileSecret = SecretFile.TryRead(e.SecretFile, "SecretFile", out var secret, out var error) ? secret : null;
            e.SecretFileError = error;
        }
    }
}
