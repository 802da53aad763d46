using SmartCity.IoT.Core.Alerting;

namespace SmartCity.IoT.Testing;

/// <summary>What the alert outbox would list as firing for a published Firing transition (adoption tests).</summary>
internal static class OutboxFiring
{
    public static FiringAlert Of(Alert alert) => new()
    {
        Fingerprint = alert.Fingerprint,
        RuleName = alert.RuleName,
        ProfileId = alert.ProfileId,
        DeviceId = alert.DeviceId,
        Severity = alert.Severity,
        Since = alert.StartsAt,
        Value = alert.Value,
        Labels = alert.Labels,
    };
}
