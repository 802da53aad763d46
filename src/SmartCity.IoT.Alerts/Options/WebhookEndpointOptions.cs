using SmartCity.IoT.Core.Alerting;

namespace SmartCity.IoT.Alerts.Options;

/// <summary>One receiver in the <c>Webhooks</c> configuration list.</summary>
internal sealed class WebhookEndpointOptions
{
    /// <summary>Stable name used in logs, metrics, the outbox and the API. Defaults to <c>webhook-{index}</c>.</summary>
    public string? Name { get; set; }

    public string Url { get; set; } = "";

    /// <summary>
    /// A Standard Webhooks secret (<c>whsec_</c> + base64 of 24..64 random bytes). Required unless <see cref="Signing"/> is
    /// <see cref="WebhookSigning.None"/>; give it through the environment or <see cref="SecretFile"/>, not the config file.
    /// </summary>
    public string? Secret { get; set; }

    /// <summary>A file holding <see cref="Secret"/> (e.g. <c>/run/secrets/webhook</c>); read on start.</summary>
    public string? SecretFile { get; set; }

    /// <summary><see cref="WebhookSigning.StandardWebhooks"/> (the default) needs a secret; <c>none</c> sends unsigned requests on purpose.</summary>
    public WebhookSigning Signing { get; set; } = WebhookSigning.StandardWebhooks;

    /// <summary>The content of <see cref="SecretFile"/>, read when the options are built.</summary>
    internal string? FileSecret { get; set; }

    /// <summary>Why <see cref="SecretFile"/> could not be read (reported by validation).</summary>
    internal string? SecretFileError { get; set; }

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

    /// <summary>All secrets to sign with: <see cref="Secret"/> (or the one in <see cref="SecretFile"/>) then <see cref="Secrets"/>.</summary>
    internal IEnumerable<string> AllSecrets()
    {
        if (!string.IsNullOrWhiteSpace(Secret))
        {
            yield return Secret.Trim();
        }

        if (!string.IsNullOrWhiteSpace(FileSecret))
        {
            yield return FileSecret.Trim();
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
