using System.Diagnostics.Metrics;
using SmartCity.IoT.Core.Telemetry;

namespace SmartCity.IoT.Influx;

/// <summary>The InfluxDB sink's instruments on <see cref="GatewayMeter.Meter"/> (created once per process).</summary>
internal static class InfluxMetrics
{
    public static readonly Counter<long> Written = GatewayMeter.Meter.CreateCounter<long>(
        "influx.lines.written", "{line}", "Lines written to InfluxDB by live batches.");

    public static readonly Counter<long> Spooled = GatewayMeter.Meter.CreateCounter<long>(
        "influx.lines.spooled", "{line}", "Lines appended to the disk spool.");

    public static readonly Counter<long> Replayed = GatewayMeter.Meter.CreateCounter<long>(
        "influx.lines.replayed", "{line}", "Lines replayed from the spool into InfluxDB.");

    public static readonly Counter<long> Rejected = GatewayMeter.Meter.CreateCounter<long>(
        "influx.lines.rejected", "{line}", "Lines InfluxDB rejected (400/422); identified ones are in the dead-letter store.");

    public static readonly Counter<long> Dropped = GatewayMeter.Meter.CreateCounter<long>(
        "influx.lines.dropped", "{line}", "Lines discarded by a DropOldest/DropNewest spool policy.");

    public static readonly Counter<long> CorruptRecords = GatewayMeter.Meter.CreateCounter<long>(
        "influx.spool.corrupt_records", "{record}", "Damaged spool records cut or skipped.");

    public static readonly Histogram<double> WriteDuration = GatewayMeter.Meter.CreateHistogram<double>(
        "influx.write.duration", "s", "Duration of one HTTP write request to InfluxDB.");

    public static readonly Histogram<int> BatchSize = GatewayMeter.Meter.CreateHistogram<int>(
        "influx.batch.size", "{line}", "Lines per batch handed to the store.");

    public static readonly ObservableGauge<long> SpoolBytes = GatewayMeter.Meter.CreateObservableGauge(
        "influx.spool.bytes", StoreStatus.TotalSpoolBytes, "By", "Bytes of spool segments on disk.");

    public static readonly ObservableGauge<long> Holding = GatewayMeter.Meter.CreateObservableGauge(
        "influx.holding", StoreStatus.AnyHolding, "{alarm}", "1 while writes are held by 401/403/404 from InfluxDB.");

    public static readonly ObservableGauge<long> SpoolFull = GatewayMeter.Meter.CreateObservableGauge(
        "influx.spool.full", StoreStatus.AnySpoolFull, "{alarm}", "1 while the spool is at its bound.");

    /// <summary>
    /// Makes every series exist from start-up: the gauges by touching them, the counters by adding 0 (a counter otherwise
    /// appears with its first line, and a rate over its first minutes would be missing).
    /// </summary>
    public static void EnsureCreated()
    {
        _ = SpoolFull;
        foreach (var counter in new[] { Written, Spooled, Replayed, Rejected, Dropped, CorruptRecords })
        {
            counter.Add(0);
        }
    }
}
