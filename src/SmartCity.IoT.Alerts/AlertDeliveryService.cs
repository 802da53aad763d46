using Microsoft.Extensions.Hosting;
using SmartCity.IoT.Alerts.Delivery;

namespace SmartCity.IoT.Alerts;

/// <summary>Runs the <see cref="WebhookDispatcher"/>'s per-endpoint delivery loops for the life of the host.</summary>
internal sealed class AlertDeliveryService(WebhookDispatcher dispatcher) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        await dispatcher.RunAsync(stoppingToken).ConfigureAwait(false);
    }
}
