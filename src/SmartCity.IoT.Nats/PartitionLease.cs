namespace SmartCity.IoT.Nats;

/// <summary>A lease as it is stored: who holds the partition, and until when (Unix milliseconds).</summary>
internal readonly record struct PartitionLease(string Owner, long ExpiresUnixMs)
{
    public string Format() => $"{Owner} {ExpiresUnixMs}";

    /// <summary>A value this code did not write (or a torn one) reads as an expired lease of nobody, so it can be taken.</summary>
    public static PartitionLease Parse(string? value)
    {
        var space = value?.LastIndexOf(' ') ?? -1;
        return space > 0 && long.TryParse(value.AsSpan(space + 1), out var ms)
            ? new PartitionLease(value![..space], ms)
            : new PartitionLease("", 0);
    }
}
