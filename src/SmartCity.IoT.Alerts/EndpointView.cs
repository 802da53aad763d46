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
    int DeadLetters);
