using Microsoft.Extensions.Options;
using SmartCity.IoT.Core.Security;
using SmartCity.IoT.Core.Tls;

namespace SmartCity.IoT.Influx;

/// <summary>Checks <see cref="InfluxOptions"/> at start-up and names the key that is wrong.</summary>
internal sealed class InfluxOptionsValidator(TimeProvider? time = null) : IValidateOptions<InfluxOptions>
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public ValidateOptionsResult Validate(string? name, InfluxOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.IsConfigured)
        {
            if (!Uri.TryCreate(options.Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                errors.Add($"Influx:Url '{UrlRedactor.Redact(options.Url)}' is not an absolute http:// or https:// URL (leave it empty for spool-only mode).");
            }
            else if (!string.IsNullOrEmpty(uri.Query))
            {
                errors.Add($"Influx:Url '{UrlRedactor.Redact(options.Url)}' must not carry a query string: set Org/Bucket or Database/RetentionPolicy instead.");
            }

            if (options.Api == InfluxApi.V2)
            {
                if (string.IsNullOrWhiteSpace(options.Bucket))
                {
                    errors.Add("Influx:Bucket is required when Influx:Api is v2 (on InfluxDB 1.8 use 'database/retention-policy').");
                }

                if (string.IsNullOrWhiteSpace(options.Org))
                {
                    errors.Add("Influx:Org is required when Influx:Api is v2 (InfluxDB 1.8 and VictoriaMetrics ignore it: any value such as '-' works).");
                }
            }
            else if (string.IsNullOrWhiteSpace(options.Database))
            {
                errors.Add("Influx:Database is required when Influx:Api is v1.");
            }

            if (!string.IsNullOrEmpty(options.Username) && string.IsNullOrEmpty(options.Password))
            {
                errors.Add("Influx:Password is required when Influx:Username is set.");
            }

            if (options.Tls.IsCustomized)
            {
                if (uri is null || uri.Scheme != Uri.UriSchemeHttps)
                {
                    errors.Add($"Influx:Tls is set but Influx:Url '{options.Url}' is not https://: use InfluxDB's HTTPS address, or remove the Tls settings.");
                }
                else
                {
                    TlsMaterial.Load(options.Tls, "Influx:Tls", _time.GetUtcNow(), errors);
                }

                if (options.Tls.InsecureSkipVerify && (!string.IsNullOrEmpty(options.Password) || !string.IsNullOrEmpty(options.Token)))
                {
                    errors.Add("Influx:Tls:InsecureSkipVerify with a password or token would hand it to whoever answers on the network path: give InfluxDB's CA in Influx:Tls:CaFile or pin it with Influx:Tls:PinnedSha256.");
                }
            }
        }

        if (options.BatchSize is < 1 or > 1_000_000)
        {
            errors.Add($"Influx:BatchSize {options.BatchSize} must be between 1 and 1000000 (InfluxDB recommends 5000).");
        }

        if (options.FlushInterval <= TimeSpan.Zero)
        {
            errors.Add($"Influx:FlushInterval {options.FlushInterval} must be positive.");
        }

        if (options.Timeout <= TimeSpan.Zero)
        {
            errors.Add($"Influx:Timeout {options.Timeout} must be positive.");
        }

        if (options.RetryBudget < TimeSpan.Zero)
        {
            errors.Add($"Influx:RetryBudget {options.RetryBudget} must not be negative.");
        }

        if (options.MaxRetries is < 0 or > 20)
        {
            errors.Add($"Influx:MaxRetries {options.MaxRetries} must be between 0 and 20.");
        }

        if (options.ReplayMaxDelay <= TimeSpan.Zero)
        {
            errors.Add($"Influx:ReplayMaxDelay {options.ReplayMaxDelay} must be positive.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
