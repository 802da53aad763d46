using SmartCity.IoT.Core.Alerting;

namespace SmartCity.IoT.Alerts.Options;

/// <summary>One receiver in the <c>Webhooks</c> configuration list.</summary>
internal sealed class WebhookEndpointOptions
{
    /// <summary>Stable name used in logs, metrics, the outbox and the API. Defaults to <c>webhook-{index}</c>.</summary>
    public string? Name { get; set; }

    public string Url { get; set; } = "";

    /// <summary>A Standard Webhooks secret (<c>whsec_</c> + base64 of 24..64 random bytes). Empty: requests are not signed.</summary>
    public string? Secret { get; set; }

    /// <summary>Additional secrets signed at the same time, for rotation: the receiver accepts any of them.</summary>
    public List<string> Secrets { get; set; } = [];

    /// <summary>Alerts below this severity are not sent to this endpoint.</summary>
    public AlertSeverity MinSeverity { get; set; } = AlertSeverity.Info;

    public WebhookFormat Format { get; set; } = WebhookFormat.Native;

    /// <summary>For <see cref="WebhookFormat.Text"/>: one line per alert, <c>{{name}}</c> placeholders (labels, annotations, status, severity, rule, device, value, url, ...).</summary>
    public string? Template { get; set; }

    /// <summary>For <see cref="WebhookFormat.Text"/>: the JSON property that carries the text (Slack and Teams: <c>text</c>).</summary>
    public string TextProperty { get; set; } = "text";

    /// <summary>Alertmanager-style matchers, all of which must hold: <c>building="hq"</c>, <c>family=~"env.*"</c>, <c>device!="x"</c>.</summary>
    public List<string> Matchers { get; set; } = [];

    /// <summary>Label names alerts are grouped by; <c>["..."]</c> groups per alert. Null: <see cref="AlertsOptions.GroupBy"/>.</summary>
    public List<string>? GroupBy { get; set; }

    public TimeSpan? GroupWait { get; set; }

    public TimeSpan? GroupInterval { get; set; }

    public TimeSpan? RepeatInterval { get; set; }

    /// <summary>Send a notification when alerts resolve.</summary>
    public bool SendResolved { get; set; } = true;

    /// <summary>Alertmanager's <c>max_alerts</c>: at most this many alerts per body (0: no limit); the rest are counted in <c>truncatedAlerts</c>.</summary>
    public int MaxAlerts { get; set; }

    /// <summary>Per-attempt timeout. Null: <see cref="AlertsOptions.DeliveryTimeout"/>.</summary>
    public TimeSpan? Timeout { get; set; }

    /// <summary>Extra request headers (e.g. Authorization for a chat bridge).</summary>
    public Dictionary<string, string> Headers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>All secrets to sign with: <see cref="Secret"/> then <see cref="Secrets"/>.</summary>
    internal IEnumerable<string> AllSecrets()
    {
        if (!string.IsNullOrWhiteSpace(Secret))
        {
            yield return Secret.Trim();
        }

        foreach (var s in Secrets)
        {
            if (!string.IsNullOrWhiteSpace(s))
            {
                yield return s.Trim();
            }
        }
    }
}
