namespace SmartCity.IoT.Alerts.Outbox;

/// <summary>An endpoint the outbox knows about; disabled after a 410 Gone until re-enabled (or its URL changes).</summary>
internal sealed record EndpointState(string Name, string Url, DateTimeOffset? DisabledAt, string? DisabledReason)
{
    public bool IsDisabled => DisabledAt is not null;
}
