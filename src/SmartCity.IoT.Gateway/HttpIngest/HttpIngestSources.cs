namespace SmartCity.IoT.Gateway.HttpIngest;

/// <summary>Every configured HTTP ingest source, by name (the last segment of <c>/ingest/{name}</c>).</summary>
internal sealed class HttpIngestSources(IReadOnlyList<HttpIngestSource> sources)
{
    private readonly Dictionary<string, HttpIngestSource> _byName = sources.ToDictionary(s => s.Name, StringComparer.Ordinal);

    public IReadOnlyList<HttpIngestSource> All { get; } = sources;

    public bool TryGet(string name, out HttpIngestSource source) => _byName.TryGetValue(name, out source!);
}
