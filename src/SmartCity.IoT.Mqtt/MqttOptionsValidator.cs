using System.Net;
using Microsoft.Extensions.Options;
using SmartCity.IoT.Core.Pipeline;
using SmartCity.IoT.Core.Tls;

namespace SmartCity.IoT.Mqtt;

/// <summary>Attribute checks come from the source generator; the cross-field checks are written out below.</summary>
[OptionsValidator]
internal sealed partial class MqttOptionsValidator : IValidateOptions<MqttOptions>
{
}

/// <summary>Checks that span several <see cref="MqttOptions"/> values.</summary>
internal sealed class MqttOptionsRulesValidator(TimeProvider? time = null) : IValidateOptions<MqttOptions>
{
    private static readonly MqttOptionsValidator Attributes = new();

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public ValidateOptionsResult Validate(string? name, MqttOptions options)
    {
        var errors = new List<string>();
        if (options.Sources.Length == 0)
        {
            ValidateConnection(options, "Mqtt", errors);
            if (options.UsesEmbeddedBroker && !EmbeddedBindAddresses.TryParse(options.EmbeddedBindAddress, out _))
            {
                errors.Add($"Mqtt:EmbeddedBindAddress '{options.EmbeddedBindAddress}' must be an IPv4 or IPv6 address, or 'localhost' (both loopback addresses).");
            }
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

    private void ValidateConnection(MqttOptions options, string where, List<string> errors)
    {
        ValidateSecurity(options, where, errors);
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

        if (!string.IsNullOrEmpty(options.Username) && options.Password is null && string.IsNullOrWhiteSpace(options.PasswordFile))
        {
            errors.Add($"{where}:Password is missing while {where}:Username is set (use SMARTCITY_{where.Replace(":", "__", StringComparison.Ordinal)}__Password, or {where}:PasswordFile naming a secret file).");
        }

        foreach (var topic in options.Topics)
        {
            if (string.IsNullOrWhiteSpace(topic))
            {
                errors.Add($"{where}:Topics contains an empty topic filter.");
            }
        }
    }

    /// <summary>TLS files, pins, and the password file: every problem names the setting and the path.</summary>
    private void ValidateSecurity(MqttOptions options, string where, List<string> errors)
    {
        if (options.AllowUntrustedCertificates)
        {
            errors.Add($"{where}:AllowUntrustedCertificates is refused: it turns every check of the broker's certificate off, so anyone on the network path can read the readings and the password. Give the broker's CA in {where}:Tls:CaFile (a self-signed certificate can be its own CA) or pin it with {where}:Tls:PinnedSha256; for a throw-away test broker only, {where}:Tls:InsecureSkipVerify=true does the same with a warning at every start.");
        }

        if (options.Tls.IsCustomized && !options.UsesTls)
        {
            errors.Add(options.UsesEmbeddedBroker
                ? $"{where}:Tls is set but no broker is: the embedded demo broker speaks plain MQTT on loopback; set {where}:Host and {where}:UseTls=true for a TLS broker."
                : $"{where}:Tls is set but {where}:UseTls is off: set {where}:UseTls=true (the broker's TLS port is usually 8883), or remove the Tls settings.");
        }

        var hasPassword = options.Password is not null || !string.IsNullOrWhiteSpace(options.PasswordFile);
        if (options.Tls.InsecureSkipVerify && hasPassword && options.UsesTls)
        {
            errors.Add($"{where}:Tls:InsecureSkipVerify with a password would hand the password to whoever answers on the network path: give the broker's CA in {where}:Tls:CaFile or pin it with {where}:Tls:PinnedSha256.");
        }

        if (options.UsesTls)
        {
            TlsMaterial.Load(options.Tls, $"{where}:Tls", _time.GetUtcNow(), errors);
        }

        if (!string.IsNullOrWhiteSpace(options.PasswordFile))
        {
            if (options.Password is not null)
            {
                errors.Add($"{where}:Password and {where}:PasswordFile are both set: keep one.");
            }

            if (string.IsNullOrEmpty(options.Username))
            {
                errors.Add($"{where}:PasswordFile is set without {where}:Username.");
            }

            if (MqttPassword.Problem(options.PasswordFile) is { } problem)
            {
                errors.Add($"{where}:PasswordFile '{options.PasswordFile}' {problem}.");
            }
        }
    }
}
