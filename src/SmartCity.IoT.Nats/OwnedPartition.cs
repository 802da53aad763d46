namespace SmartCity.IoT.Nats;

/// <summary>A partition this instance consumes, since <paramref name="Since"/>.</summary>
public sealed record OwnedPartition(int Partition, DateTimeOffset Since);
