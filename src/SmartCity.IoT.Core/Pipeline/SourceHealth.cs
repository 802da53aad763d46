namespace SmartCity.IoT.Core.Pipeline;

/// <summary>A source's state as health checks and the status page show it.</summary>
/// <param name="Endpoint">Where it reads from (<c>host:port</c>).</param>
/// <param name="Filters">What it subscribed to, in its own syntax.</param>
public sealed record SourceHealth(string Name, string Endpoint, bool Connected, long Reconnects, string? LastError, IReadOnlyList<string> Filters);
