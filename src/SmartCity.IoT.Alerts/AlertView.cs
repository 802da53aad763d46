namespace SmartCity.IoT.Alerts;

/// <summary>An alert as the status page and <c>GET /api/alerts</c> show it.</summary>
internal sealed record AlertView(
    string Fingerprint,
    string Rule,
    string Status,
    string Severity,
    double? Value,
    string Device,
    string Family,
    string? Building,
    string? Floor,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Annotations,
    DateTimeOffset StartsAt,
    DateTimeOffset? EndsAt,
    DateTimeOffset ChangedAt,
    bool Acknowledged,
    string? AcknowledgedBy,
    DateTimeOffset? AcknowledgedAt,
    string? AcknowledgeComment,
    bool Silenced,
    string Url);
