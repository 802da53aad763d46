namespace SmartCity.IoT.Nats;

/// <summary>
/// Which partitions this instance consumes now and since when, and the last <see cref="MaxHistory"/> ownership intervals:
/// the status page and /api/status show it, so an operator (or a failover test) can check that no partition, and so no
/// device, was consumed by two instances at once. An interval opens when the partition's observers have completed and its
/// consumer starts, and closes once the consumer has stopped and nothing more of it will be acknowledged.
/// </summary>
public sealed class PartitionOwnershipLog(string instanceId, NatsOwnership mode, TimeProvider time)
{
    public const int MaxHistory = 256;

    private readonly Lock _gate = new();
    private readonly SortedDictionary<int, DateTimeOffset> _owned = [];
    private readonly Queue<OwnershipInterval> _history = new();

    public string InstanceId { get; } = instanceId;

    public NatsOwnership Mode { get; } = mode;

    public IReadOnlyList<OwnedPartition> Owned
    {
        get
        {
            lock (_gate)
            {
                return _owned.Select(o => new OwnedPartition(o.Key, o.Value)).ToArray();
            }
        }
    }

    /// <summary>Closed intervals and the open ones (<see cref="OwnershipInterval.Released"/> null), oldest first.</summary>
    public IReadOnlyList<OwnershipInterval> History
    {
        get
        {
            lock (_gate)
            {
                return _history.Concat(_owned.Select(o => new OwnershipInterval(o.Key, o.Value, null, null))).OrderBy(i => i.Acquired).ToArray();
            }
        }
    }

    internal void Acquired(int partition)
    {
        lock (_gate)
        {
            _owned[partition] = time.GetUtcNow();
        }
    }

    internal void Released(int partition, string reason)
    {
        lock (_gate)
        {
            if (!_owned.Remove(partition, out var since))
            {
                return;
            }

            _history.Enqueue(new OwnershipInterval(partition, since, time.GetUtcNow(), reason));
            while (_history.Count > MaxHistory)
            {
                _history.Dequeue();
            }
        }
    }
}
