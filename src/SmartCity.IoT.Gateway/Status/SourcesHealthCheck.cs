using Microsoft.Extensions.Diagnostics.HealthChecks;
using SmartCity.IoT.Core.Pipeline;

namespace SmartCity.IoT.Gateway.Status;

/// <summary>Ready only while every source is connected.</summary>
internal sealed class SourcesHealthCheck(IEnumerable<IMessageSource> sources) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var down = sources.Select(s => s.Health).Where(h => !h.Connected).ToArray();
        return Task.FromResult(down.Length == 0
            ? HealthCheckResult.Healthy("every source is connected")
            : HealthCheckResult.Unhealthy(string.Join("; ", down.Select(h => $"not connected to {h.Name} at {h.Endpoint}: {h.LastError ?? "connecting"}"))));
    }
}
