using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Core.Telemetry;
using SmartCity.IoT.Gateway.Pipeline;
using SmartCity.IoT.Rules.Engine;

namespace SmartCity.IoT.Gateway.Telemetry;

/// <summary>
/// Gauges of the gateway's state: active alerts by severity and rule, devices reporting and silent. A scrape reads the
/// last snapshot, refreshed every <see cref="Refresh"/> off the hot path (never waiting long on the pipeline's gate).
/// </summary>
internal sealed class GatewayStateMetrics : BackgroundService
{
    /// <summary>A device not heard from for this long (or offline by its availability topic) counts as silent.</summary>
    public static readonly TimeSpan SilentAfter = TimeSpan.FromMinutes(15);

    internal static readonly TimeSpan Refresh = TimeSpan.FromSeconds(5);

    private static readonly AlertSeverity[] Severities = Enum.GetValues<AlertSeverity>();

    private readonly IngestPipeline _pipeline;
    private readonly DeviceRegistry _registry;
    private readonly TimeProvider _time;
    private volatile Snapshot _snapshot = new([], 0, 0);

    public GatewayStateMetrics(IngestPipeline pipeline, DeviceRegistry registry, TimeProvider time)
    {
        _pipeline = pipeline;
        _registry = registry;
        _time = time;
        GatewayMeter.Meter.CreateObservableGauge("alerts.active", ObserveAlerts, "{alert}",
            "Alerts firing now, by severity and rule (pending ones not counted)");
        GatewayMeter.Meter.CreateObservableGauge("devices.reporting", () => (long)_snapshot.Reporting, "{device}",
            "Devices heard from in the last 15 minutes and not offline");
        GatewayMeter.Meter.CreateObservableGauge("devices.silent", () => (long)_snapshot.Silent, "{device}",
            "Devices seen since start-up but silent for 15 minutes or offline");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Refresh, _time);
        do
        {
            await UpdateAsync(stoppingToken).ConfigureAwait(false);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    internal async Task UpdateAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<ActiveAlertInfo>? alerts = null;
        await _pipeline.TryWithEngineAsync(e => alerts = e.ActiveAlerts(), TimeSpan.FromMilliseconds(100), cancellationToken).ConfigureAwait(false);
        var counts = alerts is null
            ? _snapshot.Alerts
            : alerts.Where(a => a.State == RulePhase.Firing).GroupBy(a => (a.Severity, a.RuleName)).Select(g => (g.Key.Severity, g.Key.RuleName, (long)g.Count())).ToList();
        var cutoff = (_time.GetUtcNow() - SilentAfter).ToUnixTimeMilliseconds() * 1_000_000L;
        int reporting = 0, silent = 0;
        // By index rather than a Snapshot(): a copy of 100,000 references every 5 s is large-object-heap garbage.
        var count = _registry.Count;
        for (var i = 0; i < count; i++)
        {
            var d = _registry[i];
            if (d.Online && d.LastSeenUnixNs >= cutoff)
            {
                reporting++;
            }
            else
            {
                silent++;
            }
        }

        _snapshot = new Snapshot(counts, reporting, silent);
    }

    private IEnumerable<Measurement<long>> ObserveAlerts()
    {
        var snapshot = _snapshot;
        // Every severity is always present (0 when nothing fires), so a query on one severity never sees a gap.
        foreach (var severity in Severities)
        {
            if (!snapshot.Alerts.Any(a => a.Severity == severity))
            {
                yield return new Measurement<long>(0, new KeyValuePair<string, object?>("severity", Name(severity)), new KeyValuePair<string, object?>("rule", ""));
            }
        }

        foreach (var (severity, rule, count) in snapshot.Alerts)
        {
            yield return new Measurement<long>(count, new KeyValuePair<string, object?>("severity", Name(severity)), new KeyValuePair<string, object?>("rule", rule));
        }
    }

    private static string Name(AlertSeverity severity) => severity.ToString().ToLowerInvariant();

    private sealed record Snapshot(IReadOnlyList<(AlertSeverity Severity, string RuleName, long Count)> Alerts, int Reporting, int Silent);
}
