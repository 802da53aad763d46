namespace SmartCity.IoT.Alerts.Options;

/// <summary>The <c>Webhooks</c> configuration section: a list of endpoints.</summary>
internal sealed class WebhooksOptions
{
    public const string SectionName = "Webhooks";

    public List<WebhookEndpointOptions> Endpoints { get; set; } = [];
}
