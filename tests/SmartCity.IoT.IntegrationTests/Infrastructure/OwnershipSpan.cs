using System.Globalization;

namespace SmartCity.IoT.IntegrationTests.Infrastructure;

/// <summary>One partition held by one instance from <paramref name="Acquired"/> until <paramref name="Released"/> (null: still held).</summary>
internal sealed record OwnershipSpan(string Instance, int Partition, DateTimeOffset Acquired, DateTimeOffset? Released, string? Reason)
{
    /// <summary>The span with an open end closed at <paramref name="end"/> (the instance's kill, or the end of the test).</summary>
    public OwnershipSpan EndingAt(DateTimeOffset end, string reason) => Released is null ? this with { Released = end, Reason = reason } : this;

    /// <summary>Whether both held the same partition at one instant (open ends count as still held).</summary>
    public bool Overlaps(OwnershipSpan other) =>
        Partition == other.Partition && Acquired < (other.Released ?? DateTimeOffset.MaxValue) && other.Acquired < (Released ?? DateTimeOffset.MaxValue);

    public override string ToString() =>
        $"{Instance} p{Partition} {Acquired.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)}–{Released?.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture) ?? "open"}{(Reason is null ? "" : " " + Reason)}";
}
