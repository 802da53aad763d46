using Microsoft.Extensions.Logging;
using SmartCity.IoT.Core.Alerting;

namespace SmartCity.IoT.Gateway.Pipeline;

/// <summary>
/// Reconciles the rule engine with the outbox at start, after the checkpoint is restored: after a crash the checkpoint may
/// be older than the outbox (alerts that fired after it would never resolve) or ahead of it (alerts it has firing whose
/// resolve was already sent, or whose firing was never committed), and receivers must end up with one resolve per firing.
/// </summary>
internal sealed partial class FiringAlertAdopter(IngestPipeline pipeline, IFiringAlertSource? source, ILogger logger)
{
    /// <summary>
    /// Reconciles with the outbox's firing alerts (<see cref="Rules.Engine.RuleEngine.Reconcile"/>). Without an outbox (none registered) there is nothing to adopt; one that cannot
    /// be read is logged and skipped, since a broken outbox must not stop readings from being stored.
    /// </summary>
    public async Task AdoptAsync(CancellationToken cancellationToken)
    {
        if (source is null)
        {
            return;
        }

        IReadOnlyList<FiringAlert> firing;
        IReadOnlyList<ReplayFloor> floors;
        try
        {
            firing = source.FiringAlerts();
            floors = source.ReplayFloors();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.AdoptionFailed(logger, ex.Message);
            return;
        }

        await pipeline.WithEngineAsync(e => e.Reconcile(firing, floors), cancellationToken).ConfigureAwait(false);
        if (firing.Count > 0)
        {
            Log.AlertsAdopted(logger, firing.Count);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 307, Level = LogLevel.Error, Message = "Could not read the firing alerts from the alert outbox, starting without adopting them (alerts that fired after the last rule checkpoint stay firing at receivers until their rule fires and resolves again): {Reason}")]
        public static partial void AdoptionFailed(ILogger logger, string reason);

        [LoggerMessage(EventId = 308, Level = LogLevel.Information, Message = "Handed {Count} firing alerts from the alert outbox to the rule engine")]
        public static partial void AlertsAdopted(ILogger logger, int count);
    }
}
