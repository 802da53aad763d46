using Microsoft.Extensions.Options;

namespace SmartCity.IoT.Alerts.Stream;

/// <summary>Checks the alert keys of the <c>Nats</c> section at start; every message names the key and what to set.</summary>
internal sealed class AlertStreamOptionsValidator : IValidateOptions<AlertStreamOptions>
{
    public ValidateOptionsResult Validate(string? name, AlertStreamOptions o)
    {
        if (string.IsNullOrWhiteSpace(o.Url))
        {
            return ValidateOptionsResult.Success;
        }

        var errors = new List<string>();
        CheckName(o.AlertsStream, "Nats:AlertsStream", errors);
        CheckName(o.AlertsConsumer, "Nats:AlertsConsumer", errors);
        if (o.AlertsReplicas is < 1 or > 5)
        {
            errors.Add($"Nats:AlertsReplicas is {o.AlertsReplicas}: from 1 to 5 (JetStream's limit), at most the cluster's node count; 3 on a three-node cluster.");
        }

        if (o.AlertsDuplicateWindow < TimeSpan.FromMinutes(1))
        {
            errors.Add($"Nats:AlertsDuplicateWindow is {o.AlertsDuplicateWindow}: at least 1 minute (it must cover a rule checkpoint interval plus a partition takeover).");
        }

        if (o.AlertsRetention < o.AlertsDuplicateWindow)
        {
            errors.Add($"Nats:AlertsRetention ({o.AlertsRetention}) is shorter than Nats:AlertsDuplicateWindow ({o.AlertsDuplicateWindow}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void CheckName(string value, string key, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
        {
            errors.Add($"{key} '{value}' is not a valid NATS name: letters, digits, '-' and '_' only.");
        }
    }
}
