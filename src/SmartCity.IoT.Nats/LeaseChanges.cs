namespace SmartCity.IoT.Nats;

/// <summary>
/// What one lease refresh changed: partitions this instance now holds, those it no longer holds (another took them), and
/// those it holds beyond its share and should stop consuming and release.
/// </summary>
internal sealed record LeaseChanges(IReadOnlyList<int> Gained, IReadOnlyList<int> Lost, IReadOnlyList<int> Surplus, int LiveInstances);
