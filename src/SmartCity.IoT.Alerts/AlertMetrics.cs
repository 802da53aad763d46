using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using SmartCity.IoT.Alerts.Outbox;
using SmartCity.IoT.Core.Telemetry;

namespace SmartCity.IoT.Alerts;

/// <summary>Alert delivery instruments on <see cref="GatewayMeter.Meter"/>.</summary>
internal static class AlertMetrics
{
    private static readonly ConcurrentDictionary<AlertOutbox, (long Pending, long Dead)> Depths = new();

    /// <summary>Tags: endpoint, outcome = delivered | retry | dead_letter | gone | circuit_open.</summary>
    public static readonly Counter<long> Deliveries = GatewayMeter.Meter.CreateCounter<long>(
        "alerts.webhook.deliveries", "{attempt}", "Webhook delivery attempts by endpoint and outcome");

    public static readonly Histogram<double> Duration = GatewayMeter.Meter.CreateHistogram<double>(
        "alerts.webhook.duration", "s", "Webhook request duration");

    public static readonly Counter<long> Published = GatewayMeter.Meter.CreateCounter<long>(
        "alerts.published", "{alert}", "Alert transitions received from the rule engine (outcome = stored | failed)");

    static AlertMetrics()
    {
        GatewayMeter.Meter.CreateObservableGauge("alerts.outbox.depth", () => Depths.Values.Sum(d => d.Pending), "{notification}",
            "Notifications stored and not yet acknowledged by their receiver");
        GatewayMeter.Meter.CreateObservableGauge("alerts.dead_letters", () => Depths.Values.Sum(d => d.Dead), "{notification}",
            "Notifications in the dead-letter table");
    }

    /// <summary>Refreshes the gauges from the outbox (called by the dispatcher after each pass; counting rows is cheap).</summary>
    public static void UpdateDepth(AlertOutbox outbox)
    {
        Depths[outbox] = (outbox.CountPending(), outbox.CountDeadLetters());
    }

    public static void Forget(AlertOutbox outbox) => Depths.TryRemove(outbox, out _);
}
