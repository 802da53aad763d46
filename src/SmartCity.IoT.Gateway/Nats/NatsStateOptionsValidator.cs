using Microsoft.Extensions.Options;

namespace SmartCity.IoT.Gateway.Nats;

/// <summary>Checks the rule-state keys of the <c>Nats</c> section at start; every message names the key and what to set.</summary>
internal sealed class NatsStateOptionsValidator : IValidateOptions<NatsStateOptions>
{
    public ValidateOptionsResult Validate(string? name, NatsStateOptions o)
    {
        if (string.IsNullOrWhiteSpace(o.Url))
        {
            return ValidateOptionsResult.Success;
        }

        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(o.StateBucket) || o.StateBucket.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
        {
            errors.Add($"Nats:StateBucket '{o.StateBucket}' is not a valid bucket name: letters, digits, '-' and '_' only.");
        }

        if (o.StateReplicas is < 1 or > 5)
        {
            errors.Add($"Nats:StateReplicas is {o.StateReplicas}: from 1 to 5 (JetStream's limit), at most the cluster's node count; 3 on a three-node cluster.");
        }

        if (o.StateReplayTimeout < TimeSpan.FromSeconds(1))
        {
            errors.Add($"Nats:StateReplayTimeout is {o.StateReplayTimeout}: at least 1 s (a takeover replays the messages since the partition's last checkpoint).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
