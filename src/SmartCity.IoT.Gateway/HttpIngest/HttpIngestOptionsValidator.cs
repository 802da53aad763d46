using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using SmartCity.IoT.Core.Pipeline;
using SmartCity.IoT.Mqtt;

namespace SmartCity.IoT.Gateway.HttpIngest;

/// <summary>
/// Checks <see cref="HttpIngestOptions"/> on start: names, formats, topic templates, limits, and that each source's token
/// can be read from its environment variable or file (and is not written in the configuration).
/// </summary>
internal sealed class HttpIngestOptionsValidator(IConfiguration configuration, IOptions<MqttOptions> mqtt) : IValidateOptions<HttpIngestOptions>
{
    public ValidateOptionsResult Validate(string? name, HttpIngestOptions options)
    {
        var errors = new List<string>();
        if (options.AnswerTimeout < TimeSpan.FromMilliseconds(100) || options.AnswerTimeout > TimeSpan.FromSeconds(30))
        {
            errors.Add($"HttpIngest:AnswerTimeout: must be between 100 ms and 30 s, and below the senders' timeouts (5 s ChirpStack, 10 s The Things Stack) (was {options.AnswerTimeout})");
        }

        if (options.DedupeWindow < TimeSpan.Zero || options.DedupeCapacity is < 0 or > 10_000_000)
        {
            errors.Add($"HttpIngest:DedupeWindow/DedupeCapacity: must not be negative, capacity at most 10000000 (were {options.DedupeWindow}, {options.DedupeCapacity})");
        }

        if (options.MaxQueued is < 1 or > 1_000_000)
        {
            errors.Add($"HttpIngest:MaxQueued: must be between 1 and 1000000 (was {options.MaxQueued})");
        }

        var mqttNames = mqtt.Value.Connections().Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Sources.Length; i++)
        {
            var where = $"{HttpIngestOptions.SectionName}:Sources:{i}";
            var s = options.Sources[i];
            if (!SourceName.IsValid(s.Name))
            {
                errors.Add($"{where}:Name: '{s.Name}' must be {SourceName.Rule}");
            }
            else if (!seen.Add(s.Name) || mqttNames.Contains(s.Name))
            {
                errors.Add($"{where}:Name: '{s.Name}' is already the name of another source");
            }

            if (!s.Format.Equals("tts", StringComparison.OrdinalIgnoreCase) && !s.Format.Equals("chirpstack", StringComparison.OrdinalIgnoreCase))
            {
                errors.Add($"{where}:Format: '{s.Format}' is not a format; use tts (The Things Stack webhook) or chirpstack (ChirpStack v4 HTTP integration)");
            }

            if (UplinkTopic.TryParse(s.EffectiveTopic, out var topicError) is null)
            {
                errors.Add($"{where}:Topic: {topicError}");
            }

            if (configuration[$"{where}:Token"] is not null)
            {
                errors.Add($"{where}:Token: a token does not belong in the configuration; put it in an environment variable named by TokenEnv or a file named by TokenFile");
            }
            else if (!string.IsNullOrEmpty(s.TokenEnv) && !string.IsNullOrEmpty(s.TokenFile))
            {
                errors.Add($"{where}: set TokenEnv or TokenFile, not both");
            }
            else if (IngestToken.TryLoad(s, where, out var tokenError) is null)
            {
                errors.Add(tokenError!);
            }

            if (string.IsNullOrWhiteSpace(s.Header) || s.Header.Any(c => c <= ' ' || c is ':' or '(' or ')' or '"' or ','))
            {
                errors.Add($"{where}:Header: '{s.Header}' is not an HTTP header name");
            }

            if (s.MaxBodyBytes is < 256 or > 4 * 1024 * 1024)
            {
                errors.Add($"{where}:MaxBodyBytes: must be between 256 and 4194304 (was {s.MaxBodyBytes})");
            }

            if (s.RatePerSecond is < 1 or > 1_000_000 || s.RateBurst is < 1 or > 1_000_000)
            {
                errors.Add($"{where}:RatePerSecond/RateBurst: must be between 1 and 1000000 (were {s.RatePerSecond}, {s.RateBurst})");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
