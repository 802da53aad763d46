using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using NATS.Client.Core;
using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Core.Pipeline;
using SmartCity.IoT.Gateway.Hosting;
using SmartCity.IoT.Gateway.Pipeline;
using SmartCity.IoT.Nats;

namespace SmartCity.IoT.Gateway.Nats;

internal static class NatsStateServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates the rule-state keys of <c>Nats</c>; when <c>Nats:Url</c> is set, rule state follows partition
    /// ownership through the state bucket (<see cref="PartitionRuleState"/>) and the local checkpoint file and the start-up
    /// reconciliation against the local outbox are off. Call after <c>AddIngestPipeline</c> and <c>AddAlertDelivery</c>.
    /// </summary>
    public static IServiceCollection AddNatsState(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(NatsStateOptions.SectionName);
        services.AddOptions<NatsStateOptions>().Bind(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<NatsStateOptions>, NatsStateOptionsValidator>());
        if (string.IsNullOrWhiteSpace(section["Url"]))
        {
            return services;
        }

        services.AddOptions<NatsOptions>().Bind(section);
        services.TryAddSingleton<INatsConnection>(sp => new NatsConnection(new NatsOpts { Url = section["Url"]!, Name = "smartcity-gateway" }));
        services.AddSingleton<PartitionRuleState>();
        services.AddSingleton<IPartitionOwnershipObserver>(sp => sp.GetRequiredService<PartitionRuleState>());
        services.AddHostedService(sp => sp.GetRequiredService<PartitionRuleState>());
        services.Replace(ServiceDescriptor.Singleton(sp => new RuleCheckpointFile(
            sp.GetRequiredService<IngestPipeline>(),
            sp.GetRequiredService<IOptions<GatewayOptions>>(),
            sp.GetRequiredService<ILogger<RuleCheckpointFile>>(),
            sp.GetRequiredService<TimeProvider>()) { Enabled = false }));
        // The engine starts empty and takes each partition's state from the bucket; the local outbox is not the truth here.
        services.RemoveAll<IFiringAlertSource>();
        return services;
    }
}
