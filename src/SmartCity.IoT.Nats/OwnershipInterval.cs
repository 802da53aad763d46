namespace SmartCity.IoT.Nats;

/// <summary>One stretch of ownership; <paramref name="Reason"/> says why it ended (released, lost, stopped, crashed).</summary>
public sealed record OwnershipInterval(int Partition, DateTimeOffset Acquired, DateTimeOffset? Released, string? Reason);
