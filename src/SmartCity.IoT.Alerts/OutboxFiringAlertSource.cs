using Microsoft.Data.Sqlite;
using SmartCity.IoT.Alerts.Outbox;
using SmartCity.IoT.Core.Alerting;

namespace SmartCity.IoT.Alerts;

/// <summary>
/// <see cref="IFiringAlertSource"/> over the outbox: the alerts receivers were told are firing (or will be: committed, not yet routed),
/// so the gateway can hand them to the rule engine at start and every one of them ends in exactly one resolve.
/// </summary>
internal sealed class OutboxFiringAlertSource(AlertOutbox outbox) : IFiringAlertSource
{
    public IReadOnlyList<FiringAlert> FiringAlerts()
    {
        var firing = Read(outbox.GetFiring, "its firing alerts");
        return firing.Select(a => new FiringAlert
        {
            Fingerprint = a.Fingerprint,
            RuleName = a.RuleName,
            ProfileId = a.ProfileId,
            DeviceId = a.DeviceId,
            Severity = a.Severity,
            Since = a.StartsAt,
            Value = a.Value,
            Labels = a.Labels,
            Flapping = a.Annotations.ContainsKey(AlertAnnotations.Flapping),
        }).ToList();
    }

    public IReadOnlyList<ReplayFloor> ReplayFloors() => Read(outbox.GetReplayFloors, "its replay floors");

    private T Read<T>(Func<T> read, string what)
    {
        try
        {
            return read();
        }
        catch (Exception ex) when (ex is SqliteException or IOException or System.Text.Json.JsonException)
        {
            throw new InvalidOperationException($"The alert outbox {outbox.Path} could not be read for {what}: {ex.Message}", ex);
        }
    }
}
