using Microsoft.Extensions.Options;
using SmartCity.IoT.Alerts.Outbox;
using SmartCity.IoT.Alerts.Routing;

namespace SmartCity.IoT.Alerts.Options;

/// <summary>Checks the <c>Alerts</c> section on start; every message names the setting and the bad value.</summary>
internal sealed class AlertsOptionsValidator : IValidateOptions<AlertsOptions>
{
    public ValidateOptionsResult Validate(string? name, AlertsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        const string S = AlertsOptions.SectionName;
        if (string.IsNullOrWhiteSpace(options.OutboxPath))
        {
            errors.Add($"{S}:OutboxPath is empty: give a file path for the SQLite outbox, e.g. data/alerts.db");
        }
        else if (OutboxSchema.Problem(options.OutboxPath) is { } problem)
        {
            // Checked here, read-only, so a start with an unusable file stops with this message before anything opens it.
            errors.Add($"{S}:OutboxPath: {problem}");
        }

        if (!IsHttpUrl(options.ExternalUrl))
        {
            errors.Add($"{S}:ExternalUrl '{options.ExternalUrl}' is not an absolute http(s) URL (it is the status page link put in every alert)");
        }

        Positive(errors, $"{S}:GroupInterval", options.GroupInterval);
        Positive(errors, $"{S}:RepeatInterval", options.RepeatInterval);
        Positive(errors, $"{S}:DeliveryTimeout", options.DeliveryTimeout);
        Positive(errors, $"{S}:PollInterval", options.PollInterval);
        Positive(errors, $"{S}:MaxRetryAfter", options.MaxRetryAfter);
        Positive(errors, $"{S}:ResolvedRetention", options.ResolvedRetention);
        if (options.GroupWait < TimeSpan.Zero)
        {
            errors.Add($"{S}:GroupWait {options.GroupWait} is negative");
        }

        for (var i = 0; i < options.RetrySchedule.Count; i++)
        {
            if (options.RetrySchedule[i] <= TimeSpan.Zero || options.RetrySchedule[i] > TimeSpan.FromDays(7))
            {
                errors.Add($"{S}:RetrySchedule:{i} {options.RetrySchedule[i]} must be between 0 and 7 days");
            }
        }

        if (options.RetryJitter is < 0 or > 1 || double.IsNaN(options.RetryJitter))
        {
            errors.Add($"{S}:RetryJitter {options.RetryJitter} must be between 0 and 1");
        }

        if (options.BreakerFailureRatio is <= 0 or > 1 || double.IsNaN(options.BreakerFailureRatio))
        {
            errors.Add($"{S}:BreakerFailureRatio {options.BreakerFailureRatio} must be in (0, 1]");
        }

        if (options.BreakerMinimumThroughput < 2)
        {
            errors.Add($"{S}:BreakerMinimumThroughput {options.BreakerMinimumThroughput} must be at least 2");
        }

        if (options.BreakerSamplingDuration < TimeSpan.FromMilliseconds(500))
        {
            errors.Add($"{S}:BreakerSamplingDuration {options.BreakerSamplingDuration} must be at least 0.5 s");
        }

        if (options.BreakerBreakDuration < TimeSpan.FromMilliseconds(500))
        {
            errors.Add($"{S}:BreakerBreakDuration {options.BreakerBreakDuration} must be at least 0.5 s");
        }

        for (var i = 0; i < options.InhibitRules.Count; i++)
        {
            var rule = options.InhibitRules[i];
            Matchers(errors, $"{S}:InhibitRules:{i}:SourceMatchers", rule.SourceMatchers);
            Matchers(errors, $"{S}:InhibitRules:{i}:TargetMatchers", rule.TargetMatchers);
            if (rule.SourceMatchers.Count == 0)
            {
                errors.Add($"{S}:InhibitRules:{i}:SourceMatchers is empty: every firing alert would inhibit the targets");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static bool IsHttpUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps);

    internal static void Positive(List<string> errors, string setting, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            errors.Add($"{setting} {value} must be positive");
        }
    }

    internal static void Matchers(List<string> errors, string setting, IReadOnlyList<string> matchers)
    {
        for (var i = 0; i < matchers.Count; i++)
        {
            try
            {
                LabelMatcher.Parse(matchers[i]);
            }
            catch (FormatException ex)
            {
                errors.Add($"{setting}:{i}: {ex.Message}");
            }
        }
    }
}
