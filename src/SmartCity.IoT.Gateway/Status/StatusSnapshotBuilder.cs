using Microsoft.Extensions.Options;
using SmartCity.IoT.Core.DeadLetters;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Devices;
using SmartCity.IoT.Gateway.Pipeline;
using SmartCity.IoT.Influx;
using SmartCity.IoT.Mqtt;
using SmartCity.IoT.Rules.Engine;
using SmartCity.IoT.Core.Pipeline;

namespace SmartCity.IoT.Gateway.Status;

/// <summary>Collects a consistent-enough view of the gateway for the status page (off the hot path).</summary>
internal sealed class StatusSnapshotBuilder(
    DeviceCatalog catalog,
    DeviceRegistry registry,
    IngestPipeline pipeline,
    IEnumerable<IMessageSource> sources,
    IOptions<MqttOptions> mqtt,
    PipelineStats stats,
    StoreStatus store,
    IOptions<InfluxOptions> influx,
    DeadLetterStore deadLetter,
    RuleEngine engine,
    TimeProvider time,
    MqttSources? mqttSources = null,
    SmartCity.IoT.Nats.NatsJetStreamSource? nats = null)
{
    public const int MaxDevicesShown = 500;

    /// <summary>How long the page waits for the rule engine before it shows the last alerts it read.</summary>
    private static readonly TimeSpan EngineWait = TimeSpan.FromMilliseconds(50);

    private EngineView _engine = new([], 0, null);

    /// <summary>
    /// The rule engine's active alerts. Never under the pipeline's gate for long: while a sink holds the pipeline (a full spool,
    /// say) the page still answers at once, with the alerts as they were when it last could read them (<see cref="EngineView.ReadAt"/>).
    /// </summary>
    public async Task<EngineView> ReadEngineAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var view = _engine;
        if (await pipeline.TryWithEngineAsync(e => view = new EngineView(e.ActiveAlerts(), e.RuleCount, now), EngineWait, cancellationToken).ConfigureAwait(false))
        {
            _engine = view;
        }

        return view;
    }

    /// <summary>The rules running now.</summary>
    public SmartCity.IoT.Rules.Model.RuleSet Rules => engine.Rules;

    /// <summary>Rules whose evaluation failed, until a reload replaces them.</summary>
    public IReadOnlyList<BrokenRule> BrokenRules => engine.BrokenRules;

    public async Task<StatusSnapshot> BuildAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var view = await ReadEngineAsync(cancellationToken).ConfigureAwait(false);

        var active = view.Active;
        var ruleCount = view.RuleCount;

        var broker = mqttSources?.Default is { } client ? Broker(client) : null;
        var counters = new PipelineCounters(stats.Received, stats.Decoded, stats.Rejected, stats.FieldsRejected, stats.Acknowledged, stats.Batches, stats.AvailabilityMessages, stats.LastMessage, stats.AlertsByStatus());
        var i = influx.Value;
        var storeSummary = new StoreSummary(
            string.IsNullOrEmpty(i.Url) ? "local spool only (Influx:Url is empty)" : $"{SmartCity.IoT.Core.Security.UrlRedactor.Redact(i.Url)} ({i.Api})",
            store.InfluxConfigured, store.LastError, store.Written + store.Replayed, store.Spooled, store.SpoolBytes, store.SpoolMaxBytes, store.SpoolFull, store.Replayed, store.RejectedLines, store.DroppedByPolicy, store.Holding);

        var alerts = active
            .OrderByDescending(a => a.Severity).ThenBy(a => a.Since)
            .Select(a => new AlertRow(a.Fingerprint, a.RuleName, a.DeviceId, a.Severity.ToString().ToLowerInvariant(), a.State.ToString().ToLowerInvariant() + (a.Flapping ? " (flapping: held)" : ""), a.Since, a.Value,
                a.Annotations.TryGetValue("summary", out var s) ? s : ""))
            .ToList();

        var devices = registry.Snapshot()
            .OrderBy(d => d.Profile.Family, StringComparer.Ordinal).ThenBy(d => d.DeviceId, StringComparer.Ordinal)
            .Take(MaxDevicesShown)
            .Select(d => ToRow(d))
            .ToList();

        var instance = nats is null ? null : new InstanceStatus(nats.Ownership.InstanceId, nats.Name, nats.Ownership.Mode.ToString(), nats.Ownership.Owned, nats.Ownership.History);
        return new StatusSnapshot(now, view.ReadAt, now - stats.Started, broker, sources.Select(s => s.Health).ToList(), counters, stats.RejectedByReason(), storeSummary, ruleCount, alerts, devices, deadLetter.Recent(), deadLetter.DirectoryPath, engine.BrokenRules, instance);
    }

    private BrokerStatus Broker(MqttIngestClient client)
    {
        var writes = client.Writes;
        return new BrokerStatus(client.Options.Endpoint, mqtt.Value.UsesEmbeddedBroker, client.IsConnected, client.Reconnects, client.LastError, client.SubscribedFilters, writes.Packets, writes.SocketWrites);
    }

    /// <param name="ReadAt">When the alerts were read; older than now while the pipeline is busy.</param>
    public sealed record EngineView(IReadOnlyList<ActiveAlertInfo> Active, int RuleCount, DateTimeOffset? ReadAt);

    private static string Format(SmartCity.IoT.Core.Model.FieldDefinition field, double value) => field.Type switch
    {
        SmartCity.IoT.Core.Model.FieldType.Enum => (int)value >= 0 && (int)value < field.EnumValues.Count ? field.EnumValues[(int)value] : value.ToString(System.Globalization.CultureInfo.InvariantCulture),
        SmartCity.IoT.Core.Model.FieldType.Boolean => value != 0 ? "true" : "false",
        SmartCity.IoT.Core.Model.FieldType.Integer => ((long)Math.Round(value)).ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => Math.Round(value, 3).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private DeviceRow ToRow(DeviceState d)
    {
        var values = new List<FieldValue>();
        for (var id = 0; id < d.Latest.Length; id++)
        {
            var v = d.Latest[id];
            if (!double.IsNaN(v))
            {
                var field = catalog.Vocabulary[id];
                values.Add(new FieldValue(field.Name, v, field.Unit, Format(field, v)));
            }
        }

        var lastSeen = d.LastSeenUnixNs > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(d.LastSeenUnixNs / 1_000_000) : (DateTimeOffset?)null;
        return new DeviceRow(d.Profile.Id, d.Profile.Family, d.DeviceId, d.Tags.ToDictionary(t => t.Key, t => t.Value), lastSeen, d.Online, d.Messages, values, d.Availability.Name(), d.Partition);
    }
}
