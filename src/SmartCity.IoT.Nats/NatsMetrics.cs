using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using SmartCity.IoT.Core.Telemetry;

namespace SmartCity.IoT.Nats;

/// <summary>Per-source NATS instruments on <see cref="GatewayMeter.Meter"/>, read from each source when scraped.</summary>
internal static class NatsMetrics
{
    private static readonly ConcurrentDictionary<NatsJetStreamSource, byte> Sources = new();

    static NatsMetrics()
    {
        GatewayMeter.Meter.CreateObservableGauge("nats.partition.owned", () => Each(s => s.Ownership.Owned.Select(o =>
                new Measurement<long>(1, Tag("source", s.Name), Tag("instance", s.Ownership.InstanceId), Tag("partition", o.Partition.ToString(System.Globalization.CultureInfo.InvariantCulture))))),
            "{partition}", "1 for each partition this instance consumes now, by instance id");
        GatewayMeter.Meter.CreateObservableCounter("nats.messages.received", () => Each(s => [new Measurement<long>(s.Health.Received, Tag("source", s.Name))]),
            "{message}", "Messages the stream delivered, redeliveries included");
        GatewayMeter.Meter.CreateObservableCounter("nats.messages.redelivered", () => Each(s => [new Measurement<long>(s.Redelivered, Tag("source", s.Name))]),
            "{message}", "Messages delivered again because an earlier delivery was not acknowledged in time");
        GatewayMeter.Meter.CreateObservableCounter("nats.acks.withheld", () => Each(s => [new Measurement<long>(s.AcksWithheld, Tag("source", s.Name))]),
            "{message}", "Acknowledgements not sent because the partition was no longer owned (the next owner gets the message again)");
    }

    public static void Register(NatsJetStreamSource source) => Sources.TryAdd(source, 0);

    public static void Unregister(NatsJetStreamSource source) => Sources.TryRemove(source, out _);

    private static IEnumerable<Measurement<long>> Each(Func<NatsJetStreamSource, IEnumerable<Measurement<long>>> measure) =>
        Sources.Keys.SelectMany(measure).ToArray();

    private static KeyValuePair<string, object?> Tag(string key, string value) => new(key, value);
}
