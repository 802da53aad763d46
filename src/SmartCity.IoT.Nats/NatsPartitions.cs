namespace SmartCity.IoT.Nats;

/// <summary>Which partitions an instance owns, the subjects its consumers filter on, and the topic left once the partition is taken off.</summary>
internal sealed class NatsPartitions
{
    private readonly string _prefix;

    public NatsPartitions(NatsOptions options)
    {
        _prefix = options.PartitionPrefix;
        Owned = options.Partitions == 0
            ? [-1]
            : Enumerable.Range(0, options.Partitions).Where(n => n % options.Instances == options.Instance).ToArray();
    }

    /// <summary>The partitions this instance consumes; <c>-1</c> alone means the whole stream, unpartitioned.</summary>
    public IReadOnlyList<int> Owned { get; }

    public string FilterFor(int partition) => partition < 0 ? ">" : $"{_prefix}.{partition}.>";

    public string ConsumerFor(string durable, int partition) => partition < 0 ? durable : $"{durable}-p{partition}";

    /// <summary>The device's subject without <c>p.&lt;n&gt;.</c>, as the profiles' topic templates spell it.</summary>
    public string TopicOf(string subject, int partition)
    {
        if (partition < 0)
        {
            return subject;
        }

        // "p." + digits + "."; a subject the mapping did not make is left whole (and routed or dead-lettered as it is).
        var start = _prefix.Length + 1;
        if (subject.Length <= start || !subject.StartsWith(_prefix, StringComparison.Ordinal) || subject[_prefix.Length] != '.')
        {
            return subject;
        }

        var dot = subject.IndexOf('.', start);
        return dot < 0 ? subject : subject[(dot + 1)..];
    }
}
