using Microsoft.Extensions.Options;
using SmartCity.IoT.Core.Pipeline;

namespace SmartCity.IoT.Mqtt;

/// <summary>Attribute checks come from the source generator; the cross-field checks are written out below.</summary>
[OptionsValidator]
internal sealed partial class MqttOptionsValidator : IValidateOptions<MqttOptions>
{
}

/// <summary>Checks that span several <see cref="MqttOptions"/> values.</summary>
internal sealed class MqttOptionsRulesValidator : IValidateOptions<MqttOptions>
{
    private static readonly MqttOptionsValidator Attributes = new();

    public ValidateOptionsResult Validate(string? name, MqttOptions options)
    {
        var errors = new List<string>();
        if (options.Sources.Length == 0)
        {
            ValidateConnection(options, "Mqtt", errors);
        }
        else
        {
            if (!string.IsNullOrWhiteSpace(options.Host))
            {
                errors.Add("Mqtt:Host and Mqtt:Sources are both set: configure one connection in Mqtt, or every connection in Mqtt:Sources.");
            }

            var names = new Dictionary<string, int>(StringComparer.Ordinal);
            var clients = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < options.Sources.Length; i++)
            {
                var source = options.Sources[i];
                var where = $"Mqtt:Sources:{i}";
                ValidateConnection(source, where, errors);
                if (Attributes.Validate(null, source) is { Failed: true, Failures: { } failures })
                {
                    errors.AddRange(failures.Select(f => $"{where}: {f}"));
                }

                if (string.IsNullOrWhiteSpace(source.Host))
                {
                    errors.Add($"{where}:Host is empty: each source in Mqtt:Sources names its broker (the embedded broker is only for a single Mqtt section).");
                }

                if (source.Sources.Length > 0)
                {
                    errors.Add($"{where}:Sources: sources do not nest.");
                }

                if (names.TryGetValue(source.Name, out var first))
                {
                    errors.Add($"{where}:Name '{source.Name}' is also the name of Mqtt:Sources:{first}: each source needs its own name.");
                }
                else
                {
                    names[source.Name] = i;
                }

                // Two connections with one client id on one broker take each other's session and disconnect each other.
                var key = $"{source.Endpoint}|{source.ClientId}";
                if (clients.TryGetValue(key, out var other))
                {
                    errors.Add($"{where}:ClientId '{source.ClientId}' is used by source '{other}' on the same broker: give each connection its own client id.");
                }
                else
                {
                    clients[key] = source.Name;
                }
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateConnection(MqttOptions options, string where, List<string> errors)
    {
        if (!SourceName.IsValid(options.Name))
        {
            errors.Add($"{where}:Name '{options.Name}' must be {SourceName.Rule}.");
        }

        if (!MqttProtocolSettings.TryParse(options.ProtocolVersion, out _))
        {
            errors.Add($"{where}:ProtocolVersion '{options.ProtocolVersion}' must be {MqttProtocolSettings.Accepted}.");
        }

        if (options.UsesWebSocket && !Uri.TryCreate(options.Host, UriKind.Absolute, out _))
        {
            errors.Add($"{where}:Host '{options.Host}' is not a valid WebSocket URL (ws://host:port/path or wss://host:port/path).");
        }

        if (options.ReconnectMinDelay <= TimeSpan.Zero || options.ReconnectMaxDelay < options.ReconnectMinDelay)
        {
            errors.Add($"{where}:ReconnectMinDelay must be positive and not above {where}:ReconnectMaxDelay.");
        }

        if (options.SessionExpiry < TimeSpan.Zero || options.SessionExpiry.TotalSeconds > uint.MaxValue)
        {
            errors.Add($"{where}:SessionExpiry must be between 0 and about 136 years.");
        }

        if (options.KeepAlive < TimeSpan.FromSeconds(1) || options.KeepAlive.TotalSeconds > ushort.MaxValue)
        {
            errors.Add($"{where}:KeepAlive must be between 1 s and 65535 s.");
        }

        if (options.SharedGroup is { Length: > 0 } g && (g.Contains('/') || g.Contains('+') || g.Contains('#')))
        {
            errors.Add($"{where}:SharedGroup '{g}' must not contain '/', '+' or '#'.");
        }

        if (!string.IsNullOrEmpty(options.Username) && options.Password is null)
        {
            errors.Add($"{where}:Password is missing while {where}:Username is set (use SMARTCITY_{where.Replace(":", "__", StringComparison.Ordinal)}__Password or a secrets file).");
        }

        foreach (var topic in options.Topics)
        {
            if (string.IsNullOrWhiteSpace(topic))
            {
                errors.Add($"{where}:Topics contains an empty topic filter.");
            }
        }
    }
}
