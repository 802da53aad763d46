using NATS.Client.KeyValueStore;

namespace SmartCity.IoT.Nats;

/// <summary>
/// Automatic partition ownership through a JetStream key-value bucket. Every instance heartbeats a <c>member.&lt;id&gt;</c>
/// key, takes its share (partitions ÷ live instances, rounded up) and renews each lease by compare-and-set on the
/// key's revision, so two instances can never both renew one lease. A lease that is not renewed lapses after its TTL and
/// another instance takes it; an instance holding more than its share is told its surplus, stops consuming it and then
/// releases it (<see cref="ReleaseAsync"/>) so a newcomer gets some. Not thread-safe: one caller at a time.
/// A holder must stop consuming a partition <see cref="SafetyMargin"/> before its lease lapses when it could not renew
/// (<see cref="StillValid"/>), so the next owner never starts while the old one still reads.
/// </summary>
internal sealed class PartitionLeases
{
    private readonly INatsKVStore _kv;
    private readonly string _owner;
    private readonly int _partitions;
    private readonly TimeSpan _ttl;
    private readonly TimeProvider _time;
    private readonly SortedDictionary<int, (ulong Revision, long ExpiresUnixMs)> _held = [];

    public PartitionLeases(INatsKVStore kv, string owner, int partitions, TimeSpan ttl, TimeProvider time)
    {
        _kv = kv;
        _owner = owner;
        _partitions = partitions;
        _ttl = ttl;
        _time = time;
    }

    /// <summary>How long before its lapse a lease that could not be renewed is given up: covers clock skew and one refresh.</summary>
    public TimeSpan SafetyMargin => _ttl / 3;

    public IReadOnlyCollection<int> Held => _held.Keys;

    public static string KeyOf(int partition) => $"partition.{partition}";

    /// <summary>Whether this instance may still consume <paramref name="partition"/> now, renewed or not.</summary>
    public bool StillValid(int partition) =>
        _held.TryGetValue(partition, out var lease) && _time.GetUtcNow().ToUnixTimeMilliseconds() < lease.ExpiresUnixMs - (long)SafetyMargin.TotalMilliseconds;

    /// <summary>Heartbeats, renews what is held, releases a surplus and claims a share; call it every <c>TTL / 3</c>.</summary>
    public async Task<LeaseChanges> RefreshAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var expires = now + (long)_ttl.TotalMilliseconds;
        var value = new PartitionLease(_owner, expires).Format();
        var gained = new List<int>();
        var lost = new List<int>();

        // Renewals first and all at once: one round trip however many are held, so a loaded cluster does not push a
        // renewal past its margin while the heartbeat and the member count wait their turn.
        var held = _held.Keys.ToArray();
        var renewals = await Task.WhenAll(held.Select(p => RenewAsync(p, value, expires, cancellationToken))).ConfigureAwait(false);
        for (var i = 0; i < held.Length; i++)
        {
            if (renewals[i] is { } renewed)
            {
                _held[held[i]] = renewed;
            }
            else
            {
                _held.Remove(held[i]);
                lost.Add(held[i]);
            }
        }

        await _kv.PutAsync($"member.{_owner}", value, cancellationToken: cancellationToken).ConfigureAwait(false);
        var live = await LiveMembersAsync(now, cancellationToken).ConfigureAwait(false);
        var share = (_partitions + live - 1) / live;

        // The surplus is only named here: its holder stops consuming it first, then gives it back (ReleaseAsync).
        var surplus = _held.Keys.Reverse().Take(Math.Max(0, _held.Count - share)).ToArray();

        // Start the search at a place of our own, so instances starting together do not all race for partition 0.
        var start = (int)((uint)StringComparer.Ordinal.GetHashCode(_owner) % (uint)Math.Max(1, _partitions));
        for (var i = 0; i < _partitions && _held.Count < share; i++)
        {
            var partition = (start + i) % _partitions;
            if (_held.ContainsKey(partition))
            {
                continue;
            }

            var key = KeyOf(partition);
            var current = await _kv.TryGetEntryAsync<string>(key, cancellationToken: cancellationToken).ConfigureAwait(false);
            ulong? revision = null;
            if (!current.Success || current.Value.Operation != NatsKVOperation.Put)
            {
                var created = await _kv.TryCreateAsync(key, value, cancellationToken: cancellationToken).ConfigureAwait(false);
                revision = created.Success ? created.Value : null;
            }
            else if (PartitionLease.Parse(current.Value.Value).ExpiresUnixMs <= now)
            {
                var taken = await _kv.TryUpdateAsync(key, value, current.Value.Revision, cancellationToken: cancellationToken).ConfigureAwait(false);
                revision = taken.Success ? taken.Value : null;
            }

            if (revision is { } r)
            {
                _held[partition] = (r, expires);
                gained.Add(partition);
            }
        }

        return new LeaseChanges(gained, lost, surplus, live);
    }

    /// <summary>
    /// Renews one lease by its revision. A refused update whose key holds this instance's own lease is a renewal that
    /// landed while its answer was lost (a refresh cut off by its timeout, a reconnect): its revision and lapse are taken
    /// over rather than the partition given up.
    /// </summary>
    private async Task<(ulong Revision, long ExpiresUnixMs)?> RenewAsync(int partition, string value, long expires, CancellationToken cancellationToken)
    {
        var key = KeyOf(partition);
        var renewed = await _kv.TryUpdateAsync(key, value, _held[partition].Revision, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (renewed.Success)
        {
            return (renewed.Value, expires);
        }

        var current = await _kv.TryGetEntryAsync<string>(key, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (current.Success && current.Value.Operation == NatsKVOperation.Put && PartitionLease.Parse(current.Value.Value) is { } lease && lease.Owner == _owner)
        {
            var again = await _kv.TryUpdateAsync(key, value, current.Value.Revision, cancellationToken: cancellationToken).ConfigureAwait(false);
            return again.Success ? (again.Value, expires) : null;
        }

        return null;
    }

    /// <summary>Until when (Unix ms) this instance may consume <paramref name="partition"/>: its lease's lapse less the safety margin; 0 when not held.</summary>
    public long ValidUntilUnixMs(int partition) =>
        _held.TryGetValue(partition, out var lease) ? lease.ExpiresUnixMs - (long)SafetyMargin.TotalMilliseconds : 0;

    /// <summary>Gives one lease back (its consumption has stopped), so another instance may take it at once.</summary>
    public async Task ReleaseAsync(int partition, CancellationToken cancellationToken)
    {
        if (_held.Remove(partition, out var lease))
        {
            await _kv.TryDeleteAsync(KeyOf(partition), new NatsKVDeleteOpts { Revision = lease.Revision }, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Gives every lease back at once (a clean stop), so the others need not wait for them to lapse.</summary>
    public async Task ReleaseAllAsync(CancellationToken cancellationToken)
    {
        foreach (var (partition, lease) in _held)
        {
            await _kv.TryDeleteAsync(KeyOf(partition), new NatsKVDeleteOpts { Revision = lease.Revision }, cancellationToken).ConfigureAwait(false);
        }

        _held.Clear();
        await _kv.TryDeleteAsync($"member.{_owner}", cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private async Task<int> LiveMembersAsync(long now, CancellationToken cancellationToken)
    {
        var live = 0;
        await foreach (var key in _kv.GetKeysAsync(["member.*"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var entry = await _kv.TryGetEntryAsync<string>(key, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (entry.Success && entry.Value.Operation == NatsKVOperation.Put && PartitionLease.Parse(entry.Value.Value).ExpiresUnixMs > now)
            {
                live++;
            }
        }

        return Math.Max(1, live);
    }
}
