namespace SmartCity.IoT.Nats;

/// <summary>
/// The <c>Nats</c> section: a JetStream stream as a source of readings. Devices keep publishing MQTT to nats-server's MQTT
/// listener; an account mapping puts each device's subject into one of <see cref="Partitions"/> partitions
/// (<c>p.&lt;n&gt;.&lt;subject&gt;</c>), and each gateway instance consumes the partitions it owns.
/// </summary>
public sealed class NatsOptions
{
    public const string SectionName = "Nats";

    /// <summary>The server to connect to (<c>nats://127.0.0.1:4222</c>, or several nodes: <c>nats://a:4222,nats://b:4222</c>); empty leaves the source off.</summary>
    public string Url { get; set; } = "";

    /// <summary>The addresses in <see cref="Url"/>: a comma-separated list names several nodes of a cluster, so the client can start and reconnect through any of them.</summary>
    public IReadOnlyList<string> ServerUrls => Url.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary><see cref="Url"/> for logs and messages: credentials in an address are redacted.</summary>
    public string Endpoint => string.Join(",", ServerUrls.Select(SmartCity.IoT.Core.Security.UrlRedactor.Redact));

    /// <summary>The source's name in logs, metrics, the status page and profiles' <c>source:</c>.</summary>
    public string Name { get; set; } = "nats";

    /// <summary>The stream that holds the readings until they are durable in the store.</summary>
    public string Stream { get; set; } = "READINGS";

    /// <summary>Durable consumer names are this plus the partition (<c>smartcity-p3</c>), shared by whoever owns the partition.</summary>
    public string Durable { get; set; } = "smartcity";

    /// <summary>How many partitions the server's mapping spreads devices over; 0: no partitions, one consumer on the whole stream.</summary>
    public int Partitions { get; set; }

    /// <summary>The first subject token of a partition (<c>p</c> in <c>p.3.buildings...</c>), removed before topic templates match.</summary>
    public string PartitionPrefix { get; set; } = "p";

    /// <summary>
    /// Who decides which instance consumes which partition: <see cref="NatsOwnership.Static"/> (<see cref="Instance"/> of
    /// <see cref="Instances"/>) or <see cref="NatsOwnership.Leases"/> (instances claim partitions in <see cref="LeaseBucket"/>).
    /// </summary>
    public NatsOwnership Ownership { get; set; } = NatsOwnership.Static;

    /// <summary>This instance's name in leases, logs and the status page; empty: <c>instance-&lt;Instance&gt;</c> (static) or host name and process id (leases).</summary>
    public string InstanceId { get; set; } = "";

    /// <summary>The key-value bucket of the partition leases (<c>nats init</c> creates it).</summary>
    public string LeaseBucket { get; set; } = "smartcity-leases";

    /// <summary>
    /// How long a lease lasts unless renewed; it is renewed every third of it, and its holder stops consuming a third
    /// before it lapses. A dead instance's partitions are taken over within TTL + TTL/3 (8 s with the default 6 s) plus
    /// the time the new owner's <c>PartitionAcquiredAsync</c> observers take.
    /// </summary>
    public TimeSpan LeaseTtl { get; set; } = TimeSpan.FromSeconds(6);

    /// <summary>Static ownership: this instance (0-based, as a StatefulSet ordinal) of <see cref="Instances"/> owns partitions n with n mod Instances = Instance.</summary>
    public int Instance { get; set; }

    public int Instances { get; set; } = 1;

    /// <summary>The id this instance goes by: <see cref="InstanceId"/>, or one made from the mode.</summary>
    public string EffectiveInstanceId => InstanceId is { Length: > 0 } id ? id
        : Ownership == NatsOwnership.Leases ? $"{Environment.MachineName}-{Environment.ProcessId}" : $"instance-{Instance}";

    /// <summary>Messages handed over and not yet acknowledged, per partition consumer: bounds what a slow store holds in memory.</summary>
    public int MaxAckPending { get; set; } = 20_000;

    /// <summary>How long the server waits for an acknowledgement before it redelivers.</summary>
    public TimeSpan AckWait { get; set; } = TimeSpan.FromSeconds(60);

    public TimeSpan ReconnectMinDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(10);
}
