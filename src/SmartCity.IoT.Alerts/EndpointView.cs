namespace SmartCity.IoT.Alerts;

/// <summary>A configured webhook endpoint and its delivery state.</summary>
/// <param name="Url">Redacted: the credential a webhook URL may carry (userinfo, query values, token path segments) is never shown.</param>
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

    /// <summary><see cref="Signed"/> (Standard Webhooks signatures) or <see cref="Unsigned"/> (<c>Signing: none</c>).</summary>
    public string Signing { get; init; } = Signed;

    public const string Signed = "standard-webhooks";

    public const string Unsigned = "unsigned";
}
