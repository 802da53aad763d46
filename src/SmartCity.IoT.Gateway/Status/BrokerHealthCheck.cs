using Microsoft.Extensions.Diagnostics.HealthChecks;
using SmartCity.IoT.Mqtt;

namespace SmartCity.IoT.Gateway.Status;

/// <summary>Ready only while connected to the broker.</summary>
public sealed class BrokerHealthCheck(MqttIngestClient client) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(client.IsConnected
            ? HealthCheckResult.Healthy("connected to the MQTT broker")
            : HealthCheckResult.Unhealthy($"not connected to the MQTT broker: {client.LastError ?? "connecting"}"));
}
