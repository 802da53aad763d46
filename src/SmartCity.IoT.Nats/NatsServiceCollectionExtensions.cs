using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SmartCity.IoT.Core.Pipeline;

namespace SmartCity.IoT.Nats;

public static class NatsServiceCollectionExtensions
{
    /// <summary>Binds and validates <c>Nats</c>; when <c>Nats:Url</c> is set, registers the JetStream stream as a source of the pipeline.</summary>
    public static IServiceCollection AddNatsSource(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(NatsOptions.SectionName);
        services.AddOptions<NatsOptions>().Bind(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<NatsOptions>, NatsOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        if (string.IsNullOrWhiteSpace(section["Url"]))
        {
            return services;
        }

        services.AddSingleton(sp => new NatsJetStreamSource(
            sp.GetRequiredService<IOptions<NatsOptions>>().Value,
            sp.GetRequiredService<ILogger<NatsJetStreamSource>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetServices<IPartitionOwnershipObserver>()));
        services.AddSingleton<IMessageSource>(sp => sp.GetRequiredService<NatsJetStreamSource>());
        return services;
    }
}
