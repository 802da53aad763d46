namespace SmartCity.IoT.Core.Decoding.Sparkplug;

/// <summary>
/// The metrics one BIRTH announced (for an edge node or one of its devices): by alias and by name, each bound to the
/// profile field it maps to. Built once per BIRTH and never changed, so a lookup needs no lock.
/// </summary>
public sealed class SparkplugMetricTable
{
    private readonly Dictionary<ulong, SparkplugBinding> _byAlias;
    private readonly Dictionary<string, SparkplugBinding> _byName;

    public SparkplugMetricTable(Dictionary<ulong, SparkplugBinding> byAlias, Dictionary<string, SparkplugBinding> byName)
    {
        _byAlias = byAlias;
        _byName = byName;
    }

    public int Count => _byName.Count;

    public bool TryResolve(in SparkplugMetric metric, out SparkplugBinding binding)
    {
        if (metric.Name is { } name)
        {
            return _byName.TryGetValue(name, out binding);
        }

        if (metric.HasAlias)
        {
            return _byAlias.TryGetValue(metric.Alias, out binding);
        }

        binding = default;
        return false;
    }
}
