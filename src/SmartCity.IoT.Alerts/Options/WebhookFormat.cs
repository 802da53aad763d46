namespace SmartCity.IoT.Alerts.Options;

/// <summary>The body an endpoint receives.</summary>
internal enum WebhookFormat
{
    /// <summary>Our JSON (<c>version: "1"</c>): one entry per alert with rule, device, building/floor, value, ack state.</summary>
    Native,

    /// <summary>Alertmanager webhook version 4, so existing Alertmanager receivers work unchanged.</summary>
    Alertmanager,

    /// <summary>A text line per alert rendered from <see cref="WebhookEndpointOptions.Template"/>, sent as <c>{"text": "..."}</c> (Slack, Teams, Mattermost, Google Chat).</summary>
    Text,
}
