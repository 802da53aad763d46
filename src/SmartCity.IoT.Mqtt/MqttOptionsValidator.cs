using Microsoft.Extensions.Options;

namespace SmartCity.IoT.Mqtt;

/// <summary>Attribute checks come from the source generator; the cross-field checks are written out below.</summary>
[OptionsValidator]
internal sealed partial class MqttOptionsValidator : IValidateOptions<MqttOptions>
{
}

/// <summary>Checks that span several <see cref="MqttOptions"/> values.</summary>
internal sealed class MqttOptionsRulesValidator : IValidateOptions<MqttOptions>
{
    public ValidateOptionsResult Validate(string? name, MqttOptions options)
    {
        var errors = new List<string>();
        if (options.ReconnectMinDelay <= TimeSpan.Zero || options.ReconnectMaxDelay < options.ReconnectMinDelay)
        {
            errors.Add("Mqtt:ReconnectMinDelay must be positive and not above Mqtt:ReconnectMaxDelay.");
        }

        if (options.SessionExpiry < TimeSpan.Zero || options.SessionExpiry.TotalSeconds > uint.MaxValue)
        {
            errors.Add("Mqtt:SessionExpiry must be between 0 and about 136 years.");
        }

        if (options.KeepAlive < TimeSpan.FromSeconds(1) || options.KeepAlive.TotalSeconds > ushort.MaxValue)
        {
            errors.Add("Mqtt:KeepAlive must be between 1 s and 65535 s.");
        }

        if (options.SharedGroup is { Length: > 0 } g && (g.Contains('/') || g.Contains('+') || g.Contains('#')))
        {
            errors.Add($"Mqtt:SharedGroup '{g}' must not contain '/', '+' or '#'.");
        }

        if (!string.IsNullOrEmpty(options.Username) && options.Password is null)
        {
            errors.Add("Mqtt:Password is missing while Mqtt:Username is set (use SMARTCITY_Mqtt__Password or a secrets file).");
        }

        foreach (var topic in options.Topics)
        {
            if (string.IsNullOrWhiteSpace(topic))
            {
                errors.Add("Mqtt:Topics contains an empty topic filter.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
