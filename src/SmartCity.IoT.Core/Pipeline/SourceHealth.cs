namespace SmartCity.IoT.Core.Pipeline;

/// <summary>A source's state as health checks and the status page show it.</summary>
/// <param name="Endpoint">Where it reads from (<c>host:port</c>).</param>
/// <param name="Filters">What it subscribed to, in its own syntax.</param>
public sealed record SourceHealth(string Name, string Endpoint, bool Connected, long Reconnects, string? LastError, IReadOnlyList<string> Filters)
{
    /// <summary>The protocol and version in use (MQTT <c>5</c> or <c>3.1.1</c>), where the source has one.</summary>
    public string? Protocol { get; init; }

    /// <summary>The delivery guarantee in plain words (at least once, or at most once for a QoS 0 source).</summary>
    public string? Delivery { get; init; }

    /// <summary>Messages received since start.</summary>
    public long Received { get; init; }

    /// <summary>Of <see cref="Received"/>, those delivered at most once (QoS 0).</summary>
    public long ReceivedAtMostOnce { get; init; }

    /// <summary>Connect attempts that failed since start (each is logged only when its reason changes).</summary>
    public long FailedConnects { get; init; }

    /// <summary>Retained messages the broker replayed on subscribe.</summary>
    public long Retained { get; init; }

    /// <summary>Messages the source had to refuse because they could not be stored (an HTTP 503): lost unless the sender retries.</summary>
    public long Refused { get; init; }
}
