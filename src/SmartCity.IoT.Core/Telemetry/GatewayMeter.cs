using System.Diagnostics.Metrics;

namespace SmartCity.IoT.Core.Telemetry;

/// <summary>
/// The one meter every component reports on; the host exports it as Prometheus text on /metrics, where the meter name
/// prefixes each instrument: <c>messages.received</c> becomes <c>smartcity_iot_messages_received</c>.
/// </summary>
public static class GatewayMeter
{
    public const string Name = "SmartCity.IoT";

    public static readonly Meter Meter = new(Name, "1.0");
}
