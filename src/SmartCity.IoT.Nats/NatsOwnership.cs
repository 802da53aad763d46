namespace SmartCity.IoT.Nats;

/// <summary>How an instance comes to own partitions (<c>Nats:Ownership</c>).</summary>
public enum NatsOwnership
{
    /// <summary>Instance i of N owns partitions n with n mod N = i: no coordination, a dead instance's partitions wait for it.</summary>
    Static,

    /// <summary>Instances claim partitions through leases in a key-value bucket; a dead instance's partitions are taken over.</summary>
    Leases,
}
