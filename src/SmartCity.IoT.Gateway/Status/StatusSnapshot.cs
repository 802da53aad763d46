namespace SmartCity.IoT.Gateway.Status;

/// <summary>Everything the status page shows, also served as JSON on /api/status.</summary>
internal sealed record StatusSnapshot(
    DateTimeOffset Generated,
    DateTimeOffset? AlertsReadAt,
    TimeSpan Uptime,
    BrokerStatus? Broker,
    IReadOnlyList<SmartCity.IoT.Core.Pipeline.SourceHealth> Sources,
    PipelineCounters Pipeline,
    IReadOnlyDictionary<string, long> RejectedByReason,
    StoreSummary Store,
    int RuleCount,
    IReadOnlyList<AlertRow> ActiveAlerts,
    IReadOnlyList<DeviceRow> Devices,
    IReadOnlyList<SmartCity.IoT.Core.DeadLetters.DeadLetterRecord> RecentDeadLetters,
    string DeadLetterPath,
    IReadOnlyList<SmartCity.IoT.Rules.Engine.BrokenRule> BrokenRules,
    InstanceStatus? Instance = null);

/// <summary>
/// This gateway instance on a partitioned source (NATS JetStream): its id, how it owns partitions, which it consumes now
/// and since when, and its recent ownership intervals (open ones without <c>Released</c>), oldest first.
/// </summary>
internal sealed record InstanceStatus(string Id, string Source, string Ownership, IReadOnlyList<SmartCity.IoT.Nats.OwnedPartition> Partitions, IReadOnlyList<SmartCity.IoT.Nats.OwnershipInterval> History);

/// <summary>The MQTT connection the status page leads with; null when the gateway reads no MQTT.</summary>
/// <param name="PacketsWritten">MQTT packets sent on the current connection (mostly acknowledgements).</param>
/// <param name="SocketWrites">The socket writes they took: acknowledgements of a batch leave together.</param>
internal sealed record BrokerStatus(string Endpoint, bool Embedded, bool Connected, long Reconnects, string? LastError, IReadOnlyList<string> Filters, long PacketsWritten, long SocketWrites);

internal sealed record PipelineCounters(long Received, long Decoded, long Rejected, long FieldsRejected, long Acknowledged, long Batches, long AvailabilityMessages, DateTimeOffset? LastMessage, IReadOnlyDictionary<string, long> AlertTransitions);

internal sealed record StoreSummary(string Target, bool InfluxConfigured, string? LastError, long Written, long Spooled, long SpoolBytes, long SpoolMaxBytes, bool SpoolFull, long Replayed, long RejectedLines, long DroppedByPolicy, string? Holding);

internal sealed record AlertRow(string Fingerprint, string Rule, string Device, string Severity, string State, DateTimeOffset Since, double Value, string Summary);

internal sealed record DeviceRow(string Profile, string Family, string Device, IReadOnlyDictionary<string, string> Tags, DateTimeOffset? LastSeen, bool Online, long Messages, IReadOnlyList<FieldValue> Values, string Availability = "online", int Partition = -1);

internal sealed record FieldValue(string Field, double Value, string Unit, string Text);
