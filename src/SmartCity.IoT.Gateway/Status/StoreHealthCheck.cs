using Microsoft.Extensions.Diagnostics.HealthChecks;
using SmartCity.IoT.Influx;

namespace SmartCity.IoT.Gateway.Status;

/// <summary>Ready while readings can become durable: InfluxDB takes writes, or the spool is below its bound.</summary>
internal sealed class StoreHealthCheck(StoreStatus status) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (status.SpoolFull)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"spool full ({status.SpoolBytes} of {status.SpoolMaxBytes} bytes): acknowledgements are held"));
        }

        if (!status.IsReady)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(status.SpoolError ?? status.Holding ?? status.LastError ?? "readings cannot be made durable"));
        }

        return Task.FromResult(status.LastError is { Length: > 0 } error && status.InfluxConfigured
            ? HealthCheckResult.Degraded($"InfluxDB write failing, spooling: {error}")
            : HealthCheckResult.Healthy("readings are durable"));
    }
}
