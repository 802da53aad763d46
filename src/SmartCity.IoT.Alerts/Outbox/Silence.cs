namespace SmartCity.IoT.Alerts.Outbox;

/// <summary>While active, alerts matching every matcher are not sent (they still appear on the status page).</summary>
internal sealed record Silence(
    string Id,
    IReadOnlyList<string> Matchers,
    DateTimeOffset StartsAt,
    DateTimeOffset EndsAt,
    string CreatedBy,
    string Comment,
    DateTimeOffset CreatedAt)
{
    public bool IsActive(DateTimeOffset now) => StartsAt <= now && now < EndsAt;
}
