using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using SmartCity.IoT.Alerts.Formats;
using SmartCity.IoT.Alerts.Outbox;
using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Core.Telemetry;

namespace SmartCity.IoT.Alerts;

/// <summary>
/// Alert delivery instruments on <see cref="GatewayMeter.Meter"/>: one counter of transitions handed to the outbox
/// (<c>alerts.published</c>) and one of delivery outcomes (<c>alerts.webhook.deliveries</c>), plus request duration and queue gauges.
/// </summary>
internal static class AlertMetrics
{
    private static readonly ConcurrentDictionary<AlertOutbox, (long Pending, long Dead)> Depths = new();

    /// <summary>Tags: endpoint, outcome = delivered | retry | dead_letter | gone | circuit_open.</summary>
    public static readonly Counter<long> Deliveries = GatewayMeter.Meter.CreateCounter<long>(
        "alerts.webhook.deliveries", "{attempt}", "Webhook delivery attempts by endpoint and outcome");

    public static readonly Histogram<double> Duration = GatewayMeter.Meter.CreateHistogram<double>(
        "alerts.webhook.duration", "s", "Webhook request duration");

    /// <summary>Tags: outcome = stored | failed; status = firing | escalated | deescalated | resolved.</summary>
    public static readonly Counter<long> Published = GatewayMeter.Meter.CreateCounter<long>(
        "alerts.published", "{alert}", "Alert transitions received from the rule engine, by outcome (stored | failed) and status");

    /// <summary>Reading received to webhook accepted (2xx), per delivered notification of a transition.</summary>
    public static readonly Histogram<double> Latency = GatewayMeter.Meter.CreateHistogram<double>(
        "alerts.latency", "s", "Time from the reading that caused an alert transition to the webhook receiver accepting its notification");

    private static readonly string[] Outcomes = ["delivered", "retry", "dead_letter", "gone", "circuit_open"];
    private static readonly string[] Statuses = ["firing", "escalated", "deescalated", "resolved"];

    static AlertMetrics()
    {
        foreach (var status in Statuses)
        {
            Published.Add(0, new KeyValuePair<string, object?>("outcome", "stored"), new KeyValuePair<string, object?>("status", status));
            Published.Add(0, new KeyValuePair<string, object?>("outcome", "failed"), new KeyValuePair<string, object?>("status", status));
        }

        GatewayMeter.Meter.CreateObservableGauge("alerts.outbox.depth", () => Depths.Values.Sum(d => d.Pending), "{notification}",
            "Notifications stored and not yet acknowledged by their receiver");
        GatewayMeter.Meter.CreateObservableGauge("alerts.dead_letters", () => Depths.Values.Sum(d => d.Dead), "{notification}",
            "Notifications in the dead-letter table");
    }

    /// <summary>Counts one batch handed to the outbox, each transition once (alerts are rare: a batch holds a handful).</summary>
    public static void CountPublished(IReadOnlyList<Alert> alerts, bool stored)
    {
        var outcome = new KeyValuePair<string, object?>("outcome", stored ? "stored" : "failed");
        foreach (var alert in alerts)
        {
            Published.Add(1, outcome, new KeyValuePair<string, object?>("status", NotificationFormatter.StatusName(alert.Status)));
        }
    }

    /// <summary>Creates an endpoint's delivery series at 0, so they exist from start-up.</summary>
    public static void RegisterEndpoint(string endpoint)
    {
        foreach (var outcome in Outcomes)
        {
            Deliveries.Add(0, new KeyValuePair<string, object?>("endpoint", endpoint), new KeyValuePair<string, object?>("outcome", outcome));
        }
    }

    /// <summary>Refreshes the gauges from the outbox (called by the dispatcher after each pass; counting rows is cheap).</summary>
    public static void UpdateDepth(AlertOutbox outbox)
    {
        Depths[outbox] = (outbox.CountPending(), outbox.CountDeadLetters());
    }

}
