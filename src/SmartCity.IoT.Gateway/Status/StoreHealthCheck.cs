using Microsoft.Extensions.Diagnostics.HealthChecks;
using SmartCity.IoT.Influx;

namespace SmartCity.IoT.Gateway.Status;

/// <summary>
/// /readyz's view of the store, read from <see cref="StoreStatus"/> (a snapshot, never the pipeline's gate): not ready
/// (503) while readings are held (InfluxDB refusing writes, the spool full or failing); ready but degraded (200, with the
/// reason) while InfluxDB is unreachable and readings go to the spool.
/// </summary>
internal sealed class StoreHealthCheck(StoreStatus status) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (status.SpoolError is { } spoolError)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"the spool is failing: {spoolError}"));
        }

        if (status.SpoolFull)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(status.FullPolicy == SpoolFullPolicy.Block
                ? $"spool full ({status.SpoolBytes} of {status.SpoolMaxBytes} bytes): readings are held, acknowledgements stopped"
                : $"spool full ({status.SpoolBytes} of {status.SpoolMaxBytes} bytes): readings are dropped by the {status.FullPolicy} policy"));
        }

        if (status.Holding is { } holding)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"InfluxDB refuses writes, readings are held in the spool: {holding}"));
        }

        return Task.FromResult(status.LastError is { Length: > 0 } error && status.InfluxConfigured && !status.LastWriteOk
            ? HealthCheckResult.Degraded($"InfluxDB write failing, spooling: {error}")
            : HealthCheckResult.Healthy("readings are durable"));
    }
}
