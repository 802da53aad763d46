namespace SmartCity.IoT.Gateway.Nats;

/// <summary>
/// The rule-state keys of the <c>Nats</c> section: where each partition's rule state is checkpointed, so whoever owns
/// the partition next restores it (the stream, durable and partition keys are the source's, <c>NatsOptions</c>).
/// </summary>
internal sealed class NatsStateOptions
{
    public const string SectionName = "Nats";

    /// <summary>The server (the source's <c>Nats:Url</c>); empty: not in NATS mode.</summary>
    public string Url { get; set; } = "";

    /// <summary>The key-value bucket holding one rule-state checkpoint per partition (<c>rules.&lt;n&gt;</c>); created when missing.</summary>
    public string StateBucket { get; set; } = "smartcity-state";

    /// <summary>Replicas of the bucket when this gateway creates it: 3 on a three-node cluster, so no one box holds the state alone.</summary>
    public int StateReplicas { get; set; } = 1;

    /// <summary>How long a takeover may spend replaying a partition's messages after its checkpoint before it gives up the rest (logged).</summary>
    public TimeSpan StateReplayTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
