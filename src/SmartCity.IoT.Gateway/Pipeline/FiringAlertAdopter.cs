using Microsoft.Extensions.Logging;
using SmartCity.IoT.Core.Alerting;

namespace SmartCity.IoT.Gateway.Pipeline;

/// <summary>
/// Hands the rule engine the alerts the outbox holds as firing, at start after the checkpoint is restored: after a crash
/// the checkpoint may be older than the outbox, and alerts that fired after it would otherwise never resolve.
/// </summary>
internal sealed partial class FiringAlertAdopter(IngestPipeline pipeline, IFiringAlertSource? source, ILogger logger)
{
    /// <summary>
    /// Adopts the outbox's firing alerts. Without an outbox (none registered) there is nothing to adopt; one that cannot
    /// be read is logged and skipped, since a broken outbox must not stop readings from being stored.
    /// </summary>
    public async Task AdoptAsync(CancellationToken cancellationToken)
    {
        if (source is null)
        {
            return;
        }

        IReadOnlyList<FiringAlert> firing;
        try
        {
            firing = source.FiringAlerts();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.AdoptionFailed(logger, ex.Message);
            return;
        }

        await pipeline.WithEngineAsync(e => e.Adopt(firing), cancellationToken).ConfigureAwait(false);
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
