using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Core.Places;
using SmartCity.IoT.Devices;
using SmartCity.IoT.Rules.Engine;
using SmartCity.IoT.Rules.Model;

namespace SmartCity.IoT.Gateway.Pipeline;

internal static class PipelineServiceCollectionExtensions
{
    /// <summary>
    /// The pipeline's stages, the rule engine (the one owner of the running rules, starting with <paramref name="rules"/>)
    /// and the service that runs every registered <see cref="Core.Pipeline.IMessageSource"/> into every
    /// <see cref="Core.Pipeline.ITelemetrySink"/>.
    /// </summary>
    public static IServiceCollection AddIngestPipeline(this IServiceCollection services, RuleSet rules)
    {
        services.AddSingleton<PipelineStats>();
        services.AddSingleton<WriteProgress>();
        services.AddSingleton<UnacknowledgedBytes>();
        services.AddSingleton<DeadLetterPolicy>();
        services.AddSingleton<AlertCommitter>();
        services.AddSingleton<BatchAssembler>();
        services.AddSingleton(sp =>
        {
            var engine = new RuleEngine(
                rules,
                sp.GetRequiredService<DeviceCatalog>().Vocabulary,
                sp.GetRequiredService<DeviceRegistry>(),
                sp.GetRequiredService<BatchAssembler>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<IOptions<RuleEngineOptions>>().Value,
                sp.GetRequiredService<ILogger<RuleEngine>>());
            if (sp.GetService<IBuildingModelSource>() is { } places)
            {
                engine.UseBuildingModel(places); // place attributes, occupied hours and rules over places
            }

            return engine;
        });
        services.AddSingleton<MessageProcessor>();
        services.AddSingleton<BatchWriter>();
        services.AddSingleton<IngestPipeline>();
        services.AddSingleton<RuleCheckpointFile>();
        services.AddSingleton<RuleReloadStatus>();
        services.AddHostedService<IngestService>();
        return services;
    }
}
