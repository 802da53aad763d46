namespace SmartCity.IoT.Gateway.Pipeline;

/// <summary>
/// When the <see cref="BatchWriter"/> began the batch it is still writing (0 while idle), for the
/// <see cref="BatchAssembler"/> to tell a sink that is slow from one that takes nothing (a full spool under Block).
/// </summary>
internal sealed class WriteProgress(TimeProvider time)
{
    private long _writingSince;

    public void Started() => Volatile.Write(ref _writingSince, time.GetTimestamp());

    public void Finished() => Volatile.Write(ref _writingSince, 0);

    /// <summary>A batch has been in the sinks for at least <paramref name="after"/>.</summary>
    public bool StalledFor(TimeSpan after)
    {
        var since = Volatile.Read(ref _writingSince);
        return since != 0 && time.GetElapsedTime(since) >= after;
    }
}
