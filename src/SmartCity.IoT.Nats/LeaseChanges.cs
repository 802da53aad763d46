namespace SmartCity.IoT.Nats;

/// <summary>What one lease refresh changed: partitions this instance now holds, and those it no longer holds.</summary>
internal sealed record LeaseChanges(IReadOnlyList<int> Gained, IReadOnlyList<int> Lost, int LiveInstances);
