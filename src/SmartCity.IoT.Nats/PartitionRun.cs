namespace SmartCity.IoT.Nats;

/// <summary>
/// One partition's consumption by this instance: its generation (tokens of an earlier one are never acknowledged), until
/// when it may be consumed and acknowledged (a lease's lapse less the safety margin), and how many of its messages were
/// handed to the pipeline and are not yet acknowledged.
/// </summary>
internal sealed class PartitionRun
{
    private long _validUntilUnixMs;
    private int _inFlight;
    private int _unreadableReplies;

    public PartitionRun(int partition, int generation, long validUntilUnixMs, TimeProvider time)
    {
        Partition = partition;
        Generation = generation;
        _validUntilUnixMs = validUntilUnixMs;
        // On the source's clock, so the consumer stops when the lease view says so, whatever the renewals do.
        Stop = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
    }

    public int Partition { get; }

    public int Generation { get; }

    public CancellationTokenSource Stop { get; }

    public Task Consuming { get; set; } = Task.CompletedTask;

    public long ValidUntilUnixMs => Volatile.Read(ref _validUntilUnixMs);

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>True the first time in this run a delivery's reply could not be read (so it is logged once).</summary>
    public bool FirstUnreadableReply() => Interlocked.Increment(ref _unreadableReplies) == 1;

    /// <summary>
    /// Moves the deadline (a renewed lease) and stops the consumer when it passes. A run whose deadline has passed is over:
    /// a renewal that lands later does not revive it (its consumer has stopped), so it reads as lost and the partition is
    /// taken again with a new run.
    /// </summary>
    public void ValidUntil(long unixMs, long nowUnixMs)
    {
        if (Stop.IsCancellationRequested)
        {
            return;
        }

        Volatile.Write(ref _validUntilUnixMs, unixMs);
        if (unixMs != long.MaxValue)
        {
            Stop.CancelAfter(TimeSpan.FromMilliseconds(Math.Max(0, unixMs - nowUnixMs)));
        }
    }

    public bool IsValid(long nowUnixMs) => nowUnixMs < ValidUntilUnixMs;

    public void HandedOver() => Interlocked.Increment(ref _inFlight);

    public void Settled() => Interlocked.Decrement(ref _inFlight);

    /// <summary>Packs partition and generation into a token's sequence (partitions are at most 1024, -1 for none).</summary>
    public long Sequence => ((long)Generation << 11) | (uint)(Partition + 1);

    public static (int Partition, int Generation) Unpack(long sequence) => ((int)(sequence & 0x7FF) - 1, (int)(sequence >> 11));
}
