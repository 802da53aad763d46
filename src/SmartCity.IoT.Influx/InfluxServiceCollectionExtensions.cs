using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SmartCity.IoT.Core.DeadLetters;
using SmartCity.IoT.Core.Pipeline;
using SmartCity.IoT.Influx.Http;
using SmartCity.IoT.Influx.Spool;

namespace SmartCity.IoT.Influx;

public static class InfluxServiceCollectionExtensions
{
    /// <summary>
    /// Registers the durable InfluxDB store from the <c>Influx</c> and <c>Spool</c> sections (validated on start):
    /// the pipeline's <see cref="ITelemetrySink"/> (<see cref="DurableBatchStore"/>), <see cref="StoreStatus"/>, <see cref="DiskSpool"/>,
    /// <see cref="InfluxWriter"/> (when Influx:Url is set), the <see cref="SpoolReplayService"/>, and, unless already registered,
    /// the shared <see cref="DeadLetterStore"/> (see <see cref="TryAddDeadLetterStore"/>) and <see cref="TimeProvider.System"/>.
    /// </summary>
    public static IServiceCollection AddInfluxStore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<InfluxOptions>().Bind(configuration.GetSection(InfluxOptions.SectionName)).ValidateOnStart();
        services.AddOptions<SpoolOptions>().Bind(configuration.GetSection(SpoolOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<InfluxOptions>, InfluxOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SpoolOptions>, SpoolOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddDeadLetterStore(configuration);
        services.TryAddSingleton(sp => InfluxTls.Create(sp.GetRequiredService<IOptions<InfluxOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        // Per request: Influx:Timeout. No factory request logging: it would write the URL, which may carry a user name and password.
        services.AddHttpClient(InfluxWriter.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp => sp.GetRequiredService<InfluxTls>().CreateHandler())
            .RemoveAllLoggers();

        services.TryAddSingleton(sp =>
        {
            var influx = sp.GetRequiredService<IOptions<InfluxOptions>>().Value;
            var spool = sp.GetRequiredService<IOptions<SpoolOptions>>().Value;
            return new StoreStatus(influx.IsConfigured, spool.MaxBytes, spool.FullPolicy);
        });
        services.TryAddSingleton(sp => DiskSpool.Open(
            sp.GetRequiredService<IOptions<SpoolOptions>>().Value,
            sp.GetRequiredService<StoreStatus>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<DiskSpool>(),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new InfluxWriterHolder(CreateWriter(sp)));
        services.TryAddSingleton(sp => new DurableBatchStore(
            sp.GetRequiredService<InfluxWriterHolder>().Writer,
            sp.GetRequiredService<DiskSpool>(),
            sp.GetRequiredService<StoreStatus>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<DurableBatchStore>>(),
            sp.GetRequiredService<IOptions<SpoolOptions>>().Value.Enabled));
        services.AddSingleton<ITelemetrySink>(sp => sp.GetRequiredService<DurableBatchStore>());
        services.AddHostedService(sp => new SpoolReplayService(
            sp.GetRequiredService<InfluxWriterHolder>().Writer,
            sp.GetRequiredService<DiskSpool>(),
            sp.GetRequiredService<DurableBatchStore>(),
            sp.GetRequiredService<StoreStatus>(),
            sp.GetRequiredService<IOptions<InfluxOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<SpoolReplayService>>()));
        return services;
    }

    /// <summary>
    /// Registers the one <see cref="DeadLetterStore"/> from the <c>DeadLetter</c> section (validated on start), unless a store
    /// is registered already. Every part that dead-letters takes this instance from the container.
    /// </summary>
    public static IServiceCollection TryAddDeadLetterStore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        if (services.Any(d => d.ServiceType == typeof(DeadLetterStore)))
        {
            return services;
        }

        services.AddOptions<DeadLetterOptions>().Bind(configuration.GetSection(DeadLetterOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DeadLetterOptions>, DeadLetterOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new DeadLetterStore(sp.GetRequiredService<IOptions<DeadLetterOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        return services;
    }

    private static InfluxWriter? CreateWriter(IServiceProvider sp)
    {
        var options = sp.GetRequiredService<IOptions<InfluxOptions>>().Value;
        if (!options.IsConfigured)
        {
            return null;
        }

        if (options.Tls.InsecureSkipVerify)
        {
            // Scheme, host and port only: a URL may carry credentials.
            Log.InsecureTls(sp.GetRequiredService<ILoggerFactory>().CreateLogger<InfluxWriter>(), new Uri(options.Url).GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped));
        }

        return new InfluxWriter(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(InfluxWriter.HttpClientName),
            options,
            sp.GetRequiredService<DeadLetterStore>(),
            sp.GetRequiredService<StoreStatus>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<InfluxWriter>(),
            sp.GetRequiredService<InfluxTls>().Check);
    }

    /// <summary>The writer is optional (spool-only mode), and DI cannot register a null singleton.</summary>
    internal sealed record InfluxWriterHolder(InfluxWriter? Writer);
}
