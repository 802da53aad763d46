namespace SmartCity.IoT.Core.Alerting;

/// <summary>
/// One alert transition, as raised by the rule engine and carried to webhooks and to InfluxDB's <c>alerts</c> measurement.
/// Alerts are rare, so this is an ordinary immutable object.
/// </summary>
public sealed record Alert
{
    /// <summary>Stable identity for the alert's whole life (same on firing, escalation and resolve): hex hash of rule + device.</summary>
    public required string Fingerprint { get; init; }

    public required string RuleName { get; init; }

    public required AlertStatus Status { get; init; }

    public required AlertSeverity Severity { get; init; }

    /// <summary>The value of the rule's expression (or of its main field) when the transition happened; NaN if none.</summary>
    public double Value { get; init; } = double.NaN;

    /// <summary>
    /// <see cref="Value"/> in its field's own terms when the value is an enum or boolean field (<c>fault</c>, <c>true</c>);
    /// null for a number. Show it instead of <see cref="Value"/>, which is then only the enum's ordinal or 1/0.
    /// </summary>
    public string? ValueText { get; init; }

    public required string ProfileId { get; init; }

    public required string Family { get; init; }

    public required string DeviceId { get; init; }

    /// <summary>Identity labels: the rule's labels plus the device's tags (building, floor, …), <c>alertname</c>, <c>severity</c>, <c>device</c>, <c>family</c>.</summary>
    public required IReadOnlyDictionary<string, string> Labels { get; init; }

    /// <summary>Rendered annotation templates (summary, description, …).</summary>
    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>();

    public required DateTimeOffset StartsAt { get; init; }

    /// <summary>Set on <see cref="AlertStatus.Resolved"/>.</summary>
    public DateTimeOffset? EndsAt { get; init; }

    /// <summary>When this transition happened; the rule engine never gives two transitions the same time.</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>
    /// The timestamp (Unix ns) of the device's newest reading the rule state reflected at this transition: a redelivered
    /// reading at or before it already had its effect, so after a restart it must not make the transition again. 0: unknown.
    /// </summary>
    public long EvaluatedUpToNs { get; init; }

    /// <summary>
    /// The stream sequence of the reading that began this episode (it went pending, or fired at once), or for a staleness
    /// alert of the last reading before the silence; 0 when the source does not number its messages. With the fingerprint,
    /// status and severity it identifies the transition whichever instance evaluates it: a partition's new owner that
    /// replays the stream makes the same transition with the same origin, and a replicated outbox drops it as a duplicate.
    /// </summary>
    public long EpisodeOrigin { get; init; }
}
