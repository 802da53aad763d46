using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SmartCity.IoT.Core.Pipeline;

namespace SmartCity.IoT.Gateway.HttpIngest;

internal static class HttpIngestServiceCollectionExtensions
{
    /// <summary>Binds and validates <c>HttpIngest</c> and registers each configured source as a message source of the pipeline.</summary>
    public static IServiceCollection AddHttpIngest(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(HttpIngestOptions.SectionName);
        services.AddOptions<HttpIngestOptions>().Bind(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HttpIngestOptions>, HttpIngestOptionsValidator>());
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<HttpIngestOptions>>().Value;
            var time = sp.GetRequiredService<TimeProvider>();
            var logger = sp.GetRequiredService<ILogger<HttpIngestSource>>();
            return new HttpIngestSources(options.Sources.Select((s, i) =>
            {
                var token = IngestToken.TryLoad(s, $"{HttpIngestOptions.SectionName}:Sources:{i}", out var error) ?? throw new OptionsValidationException(HttpIngestOptions.SectionName, typeof(HttpIngestOptions), [error!]);
                var topic = UplinkTopic.TryParse(s.EffectiveTopic, out _)!;
                return new HttpIngestSource(s, options, new UplinkParser(s.ParsedFormat, topic), token, time, logger);
            }).ToArray());
        });

        // One registration per source, resolved from the list, so IEnumerable<IMessageSource> holds each once.
        var count = section.GetSection("Sources").GetChildren().Count();
        for (var i = 0; i < count; i++)
        {
            var index = i;
            services.AddSingleton<IMessageSource>(sp => sp.GetRequiredService<HttpIngestSources>().All[index]);
        }

        return services;
    }
}
