namespace SmartCity.IoT.Gateway.HttpIngest;

/// <summary>
/// The uplink ids one source has taken within a window (bounded in count too): a repeat while the first post waits joins
/// its wait, a repeat after it was stored is answered at once, so the pipeline and the rule engine see each uplink once.
/// Not thread-safe: the source calls it under its lock.
/// </summary>
internal sealed class UplinkDedupe(TimeSpan window, int capacity, TimeProvider time)
{
    private readonly Dictionary<string, PendingUplink> _byKey = new(StringComparer.Ordinal);
    private readonly Queue<(string Key, PendingUplink Uplink, long At)> _order = new();

    public int Count => _byKey.Count;

    public bool TryGet(string key, out PendingUplink uplink)
    {
        Evict();
        return _byKey.TryGetValue(key, out uplink!);
    }

    public void Add(string key, PendingUplink uplink)
    {
        Evict();
        while (_byKey.Count >= capacity && _order.TryDequeue(out var oldest))
        {
            Remove(oldest.Key, oldest.Uplink);
        }

        _byKey[key] = uplink;
        _order.Enqueue((key, uplink, time.GetTimestamp()));
    }

    /// <summary>Forgets an uplink that was not stored, so its next post is taken anew.</summary>
    public void Forget(string key, PendingUplink uplink) => Remove(key, uplink);

    private void Evict()
    {
        var now = time.GetTimestamp();
        while (_order.TryPeek(out var oldest) && time.GetElapsedTime(oldest.At, now) > window)
        {
            _order.Dequeue();
            Remove(oldest.Key, oldest.Uplink);
        }
    }

    private void Remove(string key, PendingUplink uplink)
    {
        if (_byKey.TryGetValue(key, out var current) && ReferenceEquals(current, uplink))
        {
            _byKey.Remove(key);
        }
    }
}
