using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using SmartCity.IoT.Alerts.Formats;
using SmartCity.IoT.Core.Alerting;

namespace SmartCity.IoT.Alerts.Stream;

/// <summary>
/// Where things go in the alert stream (<c>&lt;stream&gt;.transition</c>, <c>.notify.&lt;endpoint&gt;</c>,
/// <c>.dead.&lt;endpoint&gt;</c>, the stream's name in lower case first) and the deterministic ids that let the
/// stream drop a repeat.
/// </summary>
internal sealed class AlertSubjects(string stream)
{
    private readonly string _prefix = stream.ToLowerInvariant();

    public string All => _prefix + ".>";

    public string Transition => _prefix + ".transition";

    public string Notify(string endpoint) => _prefix + ".notify." + Token(endpoint);

    public string Dead(string endpoint) => _prefix + ".dead." + Token(endpoint);

    /// <summary>An endpoint name as one subject token (and consumer name part): letters, digits, '-' and '_'.</summary>
    public static string Token(string endpoint)
    {
        var sb = new StringBuilder(endpoint.Length);
        foreach (var c in endpoint)
        {
            sb.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_');
        }

        return sb.ToString();
    }

    /// <summary>
    /// The transition's identity, the same whichever instance makes it: fingerprint, status, severity (an escalation is
    /// news), and the episode's origin in the stream of readings (<see cref="Alert.EpisodeOrigin"/>; without one, when
    /// the episode began). A flapping announcement is its own transition; a resolve is one per episode.
    /// </summary>
    public static string TransitionId(Alert alert)
    {
        var episode = alert.EpisodeOrigin > 0
            ? "s" + alert.EpisodeOrigin.ToString(CultureInfo.InvariantCulture)
            : "t" + alert.StartsAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var status = NotificationFormatter.StatusName(alert.Status);
        return alert.Status == AlertStatus.Resolved
            ? $"{alert.Fingerprint}.{status}.{episode}"
            : $"{alert.Fingerprint}.{status}.{NotificationFormatter.SeverityName(alert.Severity)}.{episode}{(alert.Annotations.ContainsKey(AlertAnnotations.Flapping) ? ".flapping" : "")}";
    }

    /// <summary>The Standard Webhooks id of one transition's notification to one endpoint: every attempt, from any instance, carries it.</summary>
    public static string WebhookId(string endpoint, string transitionId) =>
        "msg_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(endpoint + "\n" + transitionId)).AsSpan(0, 16));
}
