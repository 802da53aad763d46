namespace SmartCity.IoT.Alerts.Stream;

/// <summary>
/// The alert keys of the <c>Nats</c> section: in NATS mode alert transitions and webhook notifications go through a
/// replicated JetStream stream instead of the local SQLite outbox, and any instance's dispatcher delivers them.
/// </summary>
internal sealed class AlertStreamOptions
{
    public const string SectionName = "Nats";

    /// <summary>The server (the source's <c>Nats:Url</c>); empty: not in NATS mode.</summary>
    public string Url { get; set; } = "";

    /// <summary>The stream holding transitions, notifications and dead letters; created (or updated) at start.</summary>
    public string AlertsStream { get; set; } = "ALERTS";

    /// <summary>Replicas of the stream: 3 on a three-node cluster, so a committed transition survives the loss of a node.</summary>
    public int AlertsReplicas { get; set; } = 1;

    /// <summary>
    /// How long the stream remembers a message id: a transition committed again within it (a takeover replaying what the
    /// old owner already committed) is dropped. Must exceed a checkpoint interval plus a takeover.
    /// </summary>
    public TimeSpan AlertsDuplicateWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long the stream keeps what it holds (delivered notifications and dead letters included).</summary>
    public TimeSpan AlertsRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Durable consumer names start with this (<c>smartcity-alerts-route</c>, <c>smartcity-alerts-&lt;endpoint&gt;</c>), shared by every instance.</summary>
    public string AlertsConsumer { get; set; } = "smartcity-alerts";
}
