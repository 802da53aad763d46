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
    string Url)
{
    /// <summary>Ids of the active silences that cover the alert.</summary>
    public IReadOnlyList<string> SilencedBy { get; init; } = [];

    /// <summary>The fingerprint of the firing alert that inhibits this one (an inhibit rule), or null.</summary>
    public string? InhibitedBy { get; init; }

    public bool Inhibited => InhibitedBy is not null;

    /// <summary>The value in its field's own terms (an enum name, true/false), or null for a number.</summary>
    public string? ValueText { get; init; }

    public string ProfileId { get; init; } = "";
}
