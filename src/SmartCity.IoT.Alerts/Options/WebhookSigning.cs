namespace SmartCity.IoT.Alerts.Options;

/// <summary>How an endpoint's requests are signed.</summary>
internal enum WebhookSigning
{
    /// <summary>Standard Webhooks v1 (<c>webhook-signature</c>, HMAC-SHA256); the endpoint must have a secret.</summary>
    StandardWebhooks,

    /// <summary>Unsigned, on purpose (<c>Signing: none</c>): for receivers that cannot verify, such as chat incoming webhooks whose URL is the credential.</summary>
    None,
}
