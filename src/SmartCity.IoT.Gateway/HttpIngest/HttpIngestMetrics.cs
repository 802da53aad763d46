using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using SmartCity.IoT.Core.Telemetry;

namespace SmartCity.IoT.Gateway.HttpIngest;

/// <summary>Per-source HTTP ingest instruments on <see cref="GatewayMeter.Meter"/>, read from each source's counters when scraped.</summary>
internal static class HttpIngestMetrics
{
    private static readonly ConcurrentDictionary<HttpIngestSource, byte> Sources = new();
    private static readonly string[] Outcomes = Enum.GetValues<IngestOutcome>().Select(o => Snake(o.ToString())).ToArray();
    private static readonly string[] Reasons = Enum.GetValues<RefusalReason>().Select(r => Snake(r.ToString())).ToArray();

    public static readonly Histogram<double> AnswerSeconds = GatewayMeter.Meter.CreateHistogram<double>(
        "ingest.answer.duration", "s", "Time from an ingest request's arrival to its answer, per source and status code");

    static HttpIngestMetrics()
    {
        GatewayMeter.Meter.CreateObservableCounter("ingest.requests", () => Each(s => Enum.GetValues<IngestOutcome>()
            .Select(o => new Measurement<long>(s.Outcome(o), Tag("source", s.Name), Tag("outcome", Outcomes[(int)o])))),
            "{request}", "HTTP ingest requests per source and outcome (stored, duplicate, ignored, bad_request, unauthorized, too_large, unsupported_media_type, rate_limited, refused)");
        GatewayMeter.Meter.CreateObservableCounter("ingest.refused", () => Each(s => Enum.GetValues<RefusalReason>()
            .Select(r => new Measurement<long>(s.Refusals(r), Tag("source", s.Name), Tag("reason", Reasons[(int)r])))),
            "{request}", "Uplinks answered 503 per source and reason: lost unless the network server retries");
    }

    public static void Register(HttpIngestSource source) => Sources.TryAdd(source, 0);

    public static void Unregister(HttpIngestSource source) => Sources.TryRemove(source, out _);

    private static IEnumerable<Measurement<long>> Each(Func<HttpIngestSource, IEnumerable<Measurement<long>>> measure) =>
        Sources.Keys.SelectMany(measure).ToArray();

    private static KeyValuePair<string, object?> Tag(string key, string value) => new(key, value);

    private static string Snake(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
