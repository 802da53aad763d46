using Microsoft.Extensions.Logging;

namespace SmartCity.IoT.Influx.Spool;

/// <summary>
/// Damage found in the spool, each place reported once (log, metric, <see cref="StoreStatus.CorruptRecords"/>) however often
/// open or replay come across it. Not thread-safe: the owning <see cref="DiskSpool"/> calls it under its lock.
/// </summary>
internal sealed class SpoolDamageLog(StoreStatus? status, ILogger logger)
{
    private readonly List<SpoolDamage> _damage = [];
    private readonly HashSet<(long Segment, long Offset)> _reported = [];

    public int Count => _damage.Count;

    public SpoolDamage[] ToArray() => [.. _damage];

    /// <summary>Records and reports damage; false if this place was already reported.</summary>
    public bool Report(SpoolDamage damage)
    {
        if (!_reported.Add((SegmentIndexOf(damage.File), damage.Offset)))
        {
            return false;
        }

        _damage.Add(damage);
        status?.AddCorrupt(1);
        InfluxMetrics.CorruptRecords.Add(1);
        Log.SpoolDamaged(logger, damage.ToString());
        return true;
    }

    private static long SegmentIndexOf(string path) => SpoolFormat.TryParseSegmentIndex(Path.GetFileName(path), out var index) ? index : -1;
}
