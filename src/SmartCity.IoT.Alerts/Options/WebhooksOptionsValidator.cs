using Microsoft.Extensions.Options;
using SmartCity.IoT.Alerts.Routing;
using SmartCity.IoT.Alerts.Signing;

namespace SmartCity.IoT.Alerts.Options;

/// <summary>Checks each endpoint of the <c>Webhooks</c> list on start; messages name <c>Webhooks:{index}:{Setting}</c>.</summary>
internal sealed class WebhooksOptionsValidator : IValidateOptions<WebhooksOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhooksOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Endpoints.Count; i++)
        {
            var e = options.Endpoints[i];
            var at = $"{WebhooksOptions.SectionName}:{i}";
            var endpointName = WebhookEndpoint.NameOf(e, i);
            if (!names.Add(endpointName))
            {
                errors.Add($"{at}:Name '{endpointName}' is used by another endpoint; names must be unique (they key the outbox)");
            }

            if (endpointName.Any(c => char.IsWhiteSpace(c) || c == '/'))
            {
                errors.Add($"{at}:Name '{endpointName}' must not contain spaces or '/' (it appears in URLs of the API)");
            }

            if (!AlertsOptionsValidator.IsHttpUrl(e.Url))
            {
                errors.Add($"{at}:Url '{e.Url}' is not an absolute http(s) URL");
            }

            Secrets(errors, at, i, e);

            AlertsOptionsValidator.Matchers(errors, $"{at}:Matchers", e.Matchers);
            if (e.GroupWait is { } gw && gw < TimeSpan.Zero)
            {
                errors.Add($"{at}:GroupWait {gw} is negative");
            }

            if (e.GroupInterval is { } gi)
            {
                AlertsOptionsValidator.Positive(errors, $"{at}:GroupInterval", gi);
            }

            if (e.RepeatInterval is { } ri)
            {
                AlertsOptionsValidator.Positive(errors, $"{at}:RepeatInterval", ri);
            }

            if (e.Timeout is { } t)
            {
                AlertsOptionsValidator.Positive(errors, $"{at}:Timeout", t);
            }

            if (e.MaxAlerts < 0)
            {
                errors.Add($"{at}:MaxAlerts {e.MaxAlerts} is negative (0 means no limit)");
            }

            if (e.Format == WebhookFormat.Text && string.IsNullOrWhiteSpace(e.TextProperty))
            {
                errors.Add($"{at}:TextProperty is empty (Slack and Teams expect 'text')");
            }

            foreach (var header in e.Headers.Keys)
            {
                if (header.StartsWith("webhook-", StringComparison.OrdinalIgnoreCase) || header.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
                {
                    errors.Add($"{at}:Headers:{header} would override a header the gateway sets itself");
                }
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Signed (a valid, random secret) or explicitly unsigned; never unsigned by accident.</summary>
    private static void Secrets(List<string> errors, string at, int index, WebhookEndpointOptions e)
    {
        if (e.SecretFileError is { } fileError)
        {
            errors.Add($"{at}:{fileError}");
        }

        if (!string.IsNullOrWhiteSpace(e.SecretFile) && !string.IsNullOrWhiteSpace(e.Secret))
        {
            errors.Add($"{at}: both Secret and SecretFile are set; give the secret one way only");
        }

        var secrets = e.AllSecrets().ToList();
        if (e.Signing == WebhookSigning.None)
        {
            if (secrets.Count > 0)
            {
                errors.Add($"{at}:Signing is 'none' but a secret is set: remove the secret to send unsigned, or the Signing line to sign");
            }

            return;
        }

        if (secrets.Count == 0 && e.SecretFileError is null)
        {
            var env = $"SMARTCITY__{WebhooksOptions.SectionName}__{index}__Secret";
            errors.Add($"{at}:Secret is missing: requests to this endpoint would go out unsigned. Set {env}=whsec_$(openssl rand -base64 32) "
                       + $"(or {at}:SecretFile to a file holding it), or set {at}:Signing to 'none' to send unsigned on purpose");
        }

        for (var s = 0; s < secrets.Count; s++)
        {
            if (!WebhookSecret.TryParse(secrets[s], out _, out var error))
            {
                errors.Add($"{at}: secret #{s + 1} {error}");
            }
        }
    }
}
