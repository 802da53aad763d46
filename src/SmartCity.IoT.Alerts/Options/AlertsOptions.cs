namespace SmartCity.IoT.Alerts.Options;

/// <summary>The <c>Alerts</c> configuration section: outbox, status-page link, grouping defaults, retries, inhibition.</summary>
public sealed class AlertsOptions
{
    public const string SectionName = "Alerts";

    /// <summary>The SQLite outbox file (created with its folder). Relative paths are relative to the working directory.</summary>
    public string OutboxPath { get; set; } = "data/alerts.db";

    /// <summary>Base URL of the status page; alert links are <c>{ExternalUrl}/alerts/{fingerprint}</c>.</summary>
    public string ExternalUrl { get; set; } = "http://localhost:8080";

    /// <summary>Default grouping (per endpoint overridable). Empty or <c>["..."]</c>: every alert is its own group.</summary>
    public List<string> GroupBy { get; set; } = [];

    public TimeSpan GroupWait { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan GroupInterval { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan RepeatInterval { get; set; } = TimeSpan.FromHours(4);

    /// <summary>Wait after each failed attempt; its length bounds the attempts (length + 1). Default: Standard Webhooks' schedule.</summary>
    public List<TimeSpan> RetrySchedule { get; set; } = [];

    /// <summary>Each wait is multiplied by a random factor in [1 - jitter, 1 + jitter].</summary>
    public double RetryJitter { get; set; } = 0.2;

    /// <summary>Longest <c>Retry-After</c> honoured; longer values are capped so one receiver cannot park a notification for days.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromHours(1);

    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Circuit breaker per endpoint: opens when this share of the attempts in <see cref="BreakerSamplingDuration"/> failed...</summary>
    public double BreakerFailureRatio { get; set; } = 0.5;

    /// <summary>...and at least this many attempts were made.</summary>
    public int BreakerMinimumThroughput { get; set; } = 4;

    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan BreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the dispatcher looks for due retries when nothing wakes it.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Resolved alerts are kept this long (status page, acks, restart recovery), then pruned.</summary>
    public TimeSpan ResolvedRetention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Alertmanager-style inhibition rules, in addition to the device-offline rule below.</summary>
    public List<InhibitRuleOptions> InhibitRules { get; set; } = [];

    /// <summary>A firing alert named <c>device offline</c> (or <c>DeviceOffline</c>, <c>device_offline</c>) inhibits that device's other alerts.</summary>
    public bool InhibitWhenDeviceOffline { get; set; } = true;

    /// <summary>Standard Webhooks' schedule after the immediate first attempt: 5 s, 5 m, 30 m, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h.</summary>
    public static IReadOnlyList<TimeSpan> StandardWebhooksSchedule { get; } =
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2), TimeSpan.FromHours(5),
        TimeSpan.FromHours(10), TimeSpan.FromHours(14), TimeSpan.FromHours(20), TimeSpan.FromHours(24),
    ];

    public static InhibitRuleOptions DeviceOfflineInhibitRule => new()
    {
        SourceMatchers = ["alertname=~\"(?i)device[ _-]?offline\""],
        TargetMatchers = ["alertname!~\"(?i)device[ _-]?offline\""],
        Equal = ["device"],
    };

    internal IReadOnlyList<TimeSpan> EffectiveSchedule => RetrySchedule.Count > 0 ? RetrySchedule : StandardWebhooksSchedule;

    internal IReadOnlyList<InhibitRuleOptions> EffectiveInhibitRules => InhibitWhenDeviceOffline ? [DeviceOfflineInhibitRule, .. InhibitRules] : InhibitRules;
}
