namespace SmartCity.IoT.Alerts;

/// <summary>A configured webhook endpoint and its delivery state.</summary>
internal sealed record EndpointView(
    string Name,
    string Url,
    string Format,
    string MinSeverity,
    bool Disabled,
    string? DisabledReason,
    DateTimeOffset? DisabledAt,
    int Pending,
    int DeadLetters)
{
    /// <summary>Set while the circuit breaker is open: no attempt until then.</summary>
    public DateTimeOffset? CircuitOpenUntil { get; init; }

    public DateTimeOffset? LastSuccessAt { get; init; }

    public DateTimeOffset? LastFailureAt { get; init; }

    /// <summary>Why the last attempt failed (the receiver's answer or the error).</summary>
    public string? LastFailure { get; init; }
}
