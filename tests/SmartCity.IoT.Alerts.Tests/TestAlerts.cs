using SmartCity.IoT.Core.Alerting;

namespace SmartCity.IoT.Alerts.Tests;

internal static class TestAlerts
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);

    public static Alert Firing(string rule = "co2-high", string device = "ems-0042", string building = "hq", string floor = "3",
        AlertSeverity severity = AlertSeverity.Warning, double value = 1234, DateTimeOffset? startsAt = null, string family = "environment")
    {
        var starts = startsAt ?? T0;
        return new Alert
        {
            Fingerprint = Fingerprint(rule, device),
            RuleName = rule,
            Status = AlertStatus.Firing,
            Severity = severity,
            Value = value,
            ProfileId = "acme/ems-200",
            Family = family,
            DeviceId = device,
            Labels = new Dictionary<string, string>
            {
                ["alertname"] = rule,
                ["severity"] = severity.ToString().ToLowerInvariant(),
                ["device"] = device,
                ["family"] = family,
                ["building"] = building,
                ["floor"] = floor,
            },
            Annotations = new Dictionary<string, string> { ["summary"] = $"{rule} {value} on {building}/{floor}" },
            StartsAt = starts,
            At = starts,
        };
    }

    public static Alert Resolved(Alert firing, DateTimeOffset at) =>
        firing with { Status = AlertStatus.Resolved, EndsAt = at, At = at };

    public static Alert Escalated(Alert firing, AlertSeverity severity, DateTimeOffset at) =>
        firing with { Status = AlertStatus.Escalated, Severity = severity, At = at };

    public static string Fingerprint(string rule, string device) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(rule + "\0" + device)))[..16];
}
