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
    /// Binds and validates <c>Mqtt</c>, registers each configured connection (<c>Mqtt:Sources</c>, or the section itself)
    /// as a message source of the pipeline, and the embedded broker (which starts only when Mqtt:Host is empty and no
    /// sources are listed). With <paramref name="registerSources"/> false (the gateway reads only other sources), the
    /// section is still bound and checked but no connection and no embedded broker is registered.
    /// </summary>
    public static IServiceCollection AddMqttIngest(this IServiceCollection services, IConfiguration configuration, bool registerSources = true)
    {
        var section = configuration.GetSection(MqttOptions.SectionName);
        services.AddOptions<MqttOptions>().Bind(section).ValidateOnStart();
        services.PostConfigure<MqttOptions>(o =>
        {
            // Connections to one broker must not share a client id (they would take each other's session), so a listed
            // source without its own gets the gateway's id with its name appended.
            for (var i = 0; i < o.Sources.Length; i++)
            {
                if (string.IsNullOrEmpty(section[$"Sources:{i}:ClientId"]))
                {
                    o.Sources[i].ClientId = $"{o.ClientId}-{o.Sources[i].Name}";
                }
            }
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MqttOptions>, MqttOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MqttOptions>, MqttOptionsRulesValidator>());
        services.TryAddSingleton(TimeProvider.System);
        if (!registerSources)
        {
            return services;
        }

        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<MqttOptions>>().Value;
            var logger = sp.GetRequiredService<ILogger<MqttIngestClient>>();
            var time = sp.GetRequiredService<TimeProvider>();
            var settings = options.Sources.Length > 0 ? options.Sources.Select((_, i) => $"{MqttOptions.SectionName}:Sources:{i}").ToArray() : [MqttOptions.SectionName];
            return new MqttSources(options.Connections().Select((c, i) => new MqttIngestClient(c, logger, time, settings[i])).ToArray());
        });
        services.AddSingleton(sp => sp.GetRequiredService<MqttSources>().Default);
        // One registration per connection, resolved from the list, so IEnumerable<IMessageSource> holds each once.
        var count = Math.Max(1, section.GetSection("Sources").GetChildren().Count());
        for (var i = 0; i < count; i++)
        {
            var index = i;
            services.AddSingleton<IMessageSource>(sp => sp.GetRequiredService<MqttSources>().Clients[index]);
        }

        services.AddSingleton<EmbeddedBroker>();
        services.AddHostedService(sp => sp.GetRequiredService<EmbeddedBroker>());
        return services;
    }
}
