using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SmartCity.IoT.Core.Pipeline;
using SmartCity.IoT.Influx.DeadLetter;
using SmartCity.IoT.Influx.Http;
using SmartCity.IoT.Influx.Spool;

namespace SmartCity.IoT.Influx;

public static class InfluxServiceCollectionExtensions
{
    /// <summary>
    /// Registers the durable InfluxDB store from the <c>Influx</c> and <c>Spool</c> sections (validated on start):
    /// <see cref="IBatchStore"/> (<see cref="DurableBatchStore"/>), <see cref="StoreStatus"/>, <see cref="DiskSpool"/>,
    /// <see cref="DeadLetterWriter"/>, <see cref="InfluxWriter"/> (when Influx:Url is set), the <see cref="SpoolReplayService"/>,
    /// and <see cref="TimeProvider.System"/> if no TimeProvider is registered.
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
        services.AddHttpClient(InfluxWriter.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan); // per request: Influx:Timeout

        services.TryAddSingleton(sp =>
        {
            var influx = sp.GetRequiredService<IOptions<InfluxOptions>>().Value;
            var spool = sp.GetRequiredService<IOptions<SpoolOptions>>().Value;
            return new StoreStatus(influx.IsConfigured, spool.MaxBytes, spool.FullPolicy);
        });
        services.TryAddSingleton(sp =>
        {
            var spool = sp.GetRequiredService<IOptions<SpoolOptions>>().Value;
            return new DeadLetterWriter(spool.ResolvedDeadLetterPath, sp.GetRequiredService<TimeProvider>(), spool.DeadLetterMaxPayloadBytes, spool.DeadLetterMaxBytes);
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
            sp.GetRequiredService<ILogger<DurableBatchStore>>()));
        services.TryAddSingleton<IBatchStore>(sp => sp.GetRequiredService<DurableBatchStore>());
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

    private static InfluxWriter? CreateWriter(IServiceProvider sp)
    {
        var options = sp.GetRequiredService<IOptions<InfluxOptions>>().Value;
        if (!options.IsConfigured)
        {
            return null;
        }

        return new InfluxWriter(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(InfluxWriter.HttpClientName),
            options,
            sp.GetRequiredService<DeadLetterWriter>(),
            sp.GetRequiredService<StoreStatus>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<InfluxWriter>());
    }

    /// <summary>The writer is optional (spool-only mode), and DI cannot register a null singleton.</summary>
    internal sealed record InfluxWriterHolder(InfluxWriter? Writer);
}
