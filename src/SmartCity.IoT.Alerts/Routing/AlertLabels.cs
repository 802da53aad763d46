using SmartCity.IoT.Alerts.Formats;
using SmartCity.IoT.Core.Alerting;

namespace SmartCity.IoT.Alerts.Routing;

/// <summary>The labels routing, silences and inhibition match on: the alert's labels, completed with alertname, severity, device, family and profile.</summary>
internal static class AlertLabels
{
    public static IReadOnlyDictionary<string, string> For(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var labels = new Dictionary<string, string>(alert.Labels, StringComparer.Ordinal);
        labels.TryAdd("alertname", alert.RuleName);
        labels.TryAdd("device", alert.DeviceId);
        labels.TryAdd("family", alert.Family);
        labels.TryAdd("profile", alert.ProfileId);
        // Severity follows the transition (an escalation changes it), so it always comes from the alert itself.
        labels["severity"] = NotificationFormatter.SeverityName(alert.Severity);
        return labels;
    }
}
