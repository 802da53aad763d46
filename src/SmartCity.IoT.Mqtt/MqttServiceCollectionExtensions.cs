using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SmartCity.IoT.Core.Pipeline;

namespace SmartCity.IoT.Mqtt;

public static class MqttServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates <c>Mqtt</c>, registers the MQTT broker as a message source of the pipeline, and the embedded
    /// broker (which starts only when Mqtt:Host is empty).
    /// </summary>
    public static IServiceCollection AddMqttIngest(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MqttOptions>().Bind(configuration.GetSection(MqttOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MqttOptions>, MqttOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MqttOptions>, MqttOptionsRulesValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new MqttIngestClient(
            sp.GetRequiredService<IOptions<MqttOptions>>().Value,
            sp.GetRequiredService<ILogger<MqttIngestClient>>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IMessageSource>(sp => sp.GetRequiredService<MqttIngestClient>());
        services.AddSingleton<EmbeddedBroker>();
        services.AddHostedService(sp => sp.GetRequiredService<EmbeddedBroker>());
        return services;
    }
}
