using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NATS.Client.Core;
using SmartCity.IoT.Alerts.Options;
using SmartCity.IoT.Alerts.Routing;
using SmartCity.IoT.Core.Alerting;

namespace SmartCity.IoT.Alerts.Stream;

public static class AlertStreamServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates the alert keys of <c>Nats</c>; when <c>Nats:Url</c> is set, the pipeline's alert outbox is the
    /// replicated alert stream (<see cref="IAlertOutbox"/> replaced) and this instance runs a dispatcher of it. Call after
    /// <c>AddAlertDelivery</c> (whose endpoints, formats and signing it uses).
    /// </summary>
    public static IServiceCollection AddNatsAlerts(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(AlertStreamOptions.SectionName);
        services.AddOptions<AlertStreamOptions>().Bind(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AlertStreamOptions>, AlertStreamOptionsValidator>());
        if (string.IsNullOrWhiteSpace(section["Url"]))
        {
            return services;
        }

        services.TryAddSingleton<INatsConnection>(sp => new NatsConnection(new NatsOpts { Url = section["Url"]!, Name = "smartcity-gateway" }));
        services.TryAddSingleton(sp => new AlertStream(sp.GetRequiredService<INatsConnection>(), sp.GetRequiredService<IOptions<AlertStreamOptions>>().Value));
        services.TryAddSingleton<StreamAlertOutbox>();
        services.RemoveAll<IAlertOutbox>();
        services.AddSingleton<IAlertOutbox>(sp => sp.GetRequiredService<StreamAlertOutbox>());
        services.AddHostedService(sp => new StreamAlertDispatcher(
            sp.GetRequiredService<AlertStream>(),
            sp.GetRequiredService<IOptions<AlertsOptions>>().Value,
            sp.GetRequiredService<IReadOnlyList<WebhookEndpoint>>(),
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(AlertsServiceCollectionExtensions.HttpClientName),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<StreamAlertDispatcher>>()));
        return services;
    }
}
