namespace SmartCity.IoT.Gateway.Pipeline;

/// <summary>
/// Whether the sinks are taking batches, for the <see cref="BatchAssembler"/> to tell a sink that is slow from one that
/// takes nothing (a full spool under Block): with several writes in flight, the sinks have stalled when writes are
/// under way and none finished for a while.
/// </summary>
internal sealed class WriteProgress(TimeProvider time)
{
    private readonly Lock _gate = new();
    private int _writing;
    private long _since;

    public void Started()
    {
        lock (_gate)
        {
            if (_writing++ == 0)
            {
                _since = time.GetTimestamp();
            }
        }
    }

    public void Finished()
    {
        lock (_gate)
        {
            _writing--;
            _since = _writing == 0 ? 0 : time.GetTimestamp();
        }
    }

    /// <summary>Writes are under way and none finished for at least <paramref name="after"/> (counted from the first write when the sinks were idle).</summary>
    public bool StalledFor(TimeSpan after)
    {
        lock (_gate)
        {
            return _writing > 0 && time.GetElapsedTime(_since) >= after;
        }
    }
}
