using SmartCity.IoT.Core.Devices;

namespace SmartCity.IoT.Gateway.Status.History;

/// <summary>Fills <see cref="DeviceHistory"/> every interval from the registry (a background timer: nothing on the pipeline's path).</summary>
internal sealed class HistorySampler(DeviceHistory history, DeviceRegistry registry, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(history.Interval, time);
        try
        {
            do
            {
                history.Sample(registry, time.GetUtcNow());
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
