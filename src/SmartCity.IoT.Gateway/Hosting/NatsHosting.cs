using Microsoft.Extensions.Options;
using SmartCity.IoT.Influx;
using SmartCity.IoT.Nats;
using SmartCity.IoT.Rules.Model;

namespace SmartCity.IoT.Gateway.Hosting;

/// <summary>
/// The gateway on NATS JetStream: the source (when <c>Nats:Url</c> is set), and what that mode changes: no local spool
/// (the stream keeps each reading until InfluxDB has it), and InfluxDB required.
/// </summary>
internal static class NatsHosting
{
    public static IServiceCollection AddNatsMode(this IServiceCollection services, IConfiguration configuration, SourceSelection selection, RuleSet rules)
    {
        services.AddNatsSource(configuration);
        services.AddSingleton<IValidateOptions<SpoolOptions>>(new NatsModeValidator(configuration, selection));
        services.AddHostedService(sp => new SourceNotices(selection, configuration, rules, sp.GetRequiredService<ILogger<SourceNotices>>()));
        if (!selection.Nats)
        {
            return services;
        }

        // Acknowledged to the stream only once InfluxDB has it: a spool would let this box alone hold acknowledged readings.
        services.PostConfigure<SpoolOptions>(o => o.Enabled = false);

        // Rule state per partition (a replicated key-value bucket instead of the local rule checkpoint file) registers
        // here: its IPartitionOwnershipObserver is awaited by the source before a partition's first message and after
        // its last, and it replaces RuleCheckpointFile for the devices of the partitions this instance owns.
        return services;
    }
}
