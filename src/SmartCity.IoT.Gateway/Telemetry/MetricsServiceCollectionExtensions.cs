using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using SmartCity.IoT.Core.Telemetry;

namespace SmartCity.IoT.Gateway.Telemetry;

/// <summary>
/// /metrics: OpenTelemetry's Prometheus exporter over the gateway's meter (each instrument prefixed <c>smartcity_iot_</c>;
/// counters end in <c>_total</c>, units become suffixes such as <c>_seconds</c>) and the runtime's own <c>System.Runtime</c>
/// meter. Nothing else: other libraries' meters (Kestrel, MsQuic, …) are not listened to.
/// </summary>
internal static class MetricsServiceCollectionExtensions
{
    public const string Prefix = "smartcity.iot.";

    private static readonly double[] SecondsBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
    private static readonly double[] LatencyBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
    private static readonly double[] LineBuckets = [1, 10, 50, 100, 500, 1000, 2500, 5000, 10000, 50000];

    public static IServiceCollection AddGatewayMetrics(this IServiceCollection services)
    {
        services.AddHostedService<GatewayStateMetrics>();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .ConfigureResource(r => r.AddService("smartcity-iot-gateway"))
            .AddMeter(GatewayMeter.Name, "System.Runtime")
            .AddView(View)
            .AddPrometheusExporter(o =>
            {
                o.ScrapeResponseCacheDurationMilliseconds = 0;
                o.DisableTotalNameSuffixForCounters = false;
            }));
        return services;
    }

    /// <summary>
    /// Builds the meter provider now, before the hosted services are created: series that components create at 0 in their
    /// constructors (so they exist from start-up) are only kept once something listens.
    /// </summary>
    public static void StartGatewayMetrics(this IServiceProvider services) => services.GetRequiredService<MeterProvider>();

    private static MetricStreamConfiguration? View(System.Diagnostics.Metrics.Instrument instrument)
    {
        if (instrument.Meter.Name != GatewayMeter.Name)
        {
            return null;
        }

        var name = Prefix + instrument.Name;
        double[]? buckets = instrument.Name switch
        {
            "influx.batch.size" => LineBuckets,
            "alerts.latency" => LatencyBuckets,
            _ when instrument.Unit == "s" => SecondsBuckets,
            _ => null,
        };
        return buckets is null
            ? new MetricStreamConfiguration { Name = name }
            : new ExplicitBucketHistogramConfiguration { Name = name, Boundaries = buckets };
    }
}
