using SmartCity.IoT.Alerts.Options;
using SmartCity.IoT.Alerts.Signing;
using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Core.Security;

namespace SmartCity.IoT.Alerts.Routing;

/// <summary>A configured endpoint with its defaults resolved, matchers parsed and secrets decoded (options are validated first).</summary>
internal sealed class WebhookEndpoint
{
    public WebhookEndpoint(string name, WebhookEndpointOptions options, AlertsOptions defaults)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(defaults);
        Name = name;
        Options = options;
        Url = new Uri(options.Url, UriKind.Absolute);
        DisplayUrl = UrlRedactor.Redact(Url);
        Matchers = LabelMatcher.ParseAll(options.Matchers);
        var groupBy = options.GroupBy is { Count: > 0 } g ? g : defaults.GroupBy;
        GroupBy = groupBy.Count == 0 || groupBy.Contains("...") ? [] : groupBy.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        GroupWait = options.GroupWait ?? defaults.GroupWait;
        GroupInterval = options.GroupInterval ?? defaults.GroupInterval;
        RepeatInterval = options.RepeatInterval ?? defaults.RepeatInterval;
        Timeout = options.Timeout ?? defaults.DeliveryTimeout;
        Secrets = options.AllSecrets().Select(WebhookSecret.Parse).ToArray();
    }

    public string Name { get; }

    public WebhookEndpointOptions Options { get; }

    /// <summary>Where requests go, in full: use it for sending only, never in a log, answer, page or stored row.</summary>
    public Uri Url { get; }

    /// <summary><see cref="Url"/> redacted: what logs, the API, the page and the outbox show.</summary>
    public string DisplayUrl { get; }

    /// <summary>False only with <c>Signing: none</c> (validation refuses an endpoint without a secret otherwise).</summary>
    public bool IsSigned => Secrets.Count > 0;

    /// <summary><paramref name="text"/> (an error, a receiver's answer) without this endpoint's URL or its secret parts.</summary>
    public string Scrub(string? text) => UrlRedactor.Scrub(text, Url);

    public IReadOnlyList<LabelMatcher> Matchers { get; }

    /// <summary>Empty: one group per alert (<c>...</c>).</summary>
    public IReadOnlyList<string> GroupBy { get; }

    public TimeSpan GroupWait { get; }

    public TimeSpan GroupInterval { get; }

    public TimeSpan RepeatInterval { get; }

    public TimeSpan Timeout { get; }

    public IReadOnlyList<WebhookSecret> Secrets { get; }

    public bool Accepts(Alert alert, IReadOnlyDictionary<string, string> labels) =>
        alert.Severity >= Options.MinSeverity && LabelMatcher.MatchesAll(Matchers, labels);

    /// <summary>Name defaults to <c>webhook-{index}</c> (1-based), as in validation messages.</summary>
    public static string NameOf(WebhookEndpointOptions o, int index) => string.IsNullOrWhiteSpace(o.Name) ? $"webhook-{index + 1}" : o.Name.Trim();
}
