using SmartCity.IoT.Alerts.Outbox;

namespace SmartCity.IoT.Alerts.Formats;

/// <summary>One flush of one alert group for one endpoint: the input of every format.</summary>
internal sealed record GroupNotification(
    string Receiver,
    string GroupKey,
    IReadOnlyDictionary<string, string> GroupLabels,
    IReadOnlyList<TrackedAlert> Alerts,
    string ExternalUrl,
    int TruncatedAlerts = 0)
{
    /// <summary><c>firing</c> while any alert in the body still fires, else <c>resolved</c> (Alertmanager's rule).</summary>
    public string Status => Alerts.Any(a => a.IsFiring) ? "firing" : "resolved";

    public string AlertUrl(string fingerprint) => ExternalUrl.TrimEnd('/') + "/alerts/" + Uri.EscapeDataString(fingerprint);
}
