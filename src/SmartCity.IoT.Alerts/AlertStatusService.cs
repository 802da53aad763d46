using SmartCity.IoT.Alerts.Formats;
using SmartCity.IoT.Alerts.Options;
using SmartCity.IoT.Alerts.Outbox;
using SmartCity.IoT.Alerts.Routing;
using SmartCity.IoT.Core.Alerting;

namespace SmartCity.IoT.Alerts;

/// <summary>Queries and commands for the status page and the HTTP API: alerts with ack/silence state, silences, dead letters, endpoints.</summary>
internal sealed class AlertStatusService
{
    private readonly AlertOutbox _outbox;
    private readonly AlertsOptions _options;
    private readonly IReadOnlyList<WebhookEndpoint> _endpoints;
    private readonly TimeProvider _time;

    public AlertStatusService(AlertOutbox outbox, AlertsOptions options, IReadOnlyList<WebhookEndpoint> endpoints, TimeProvider timeProvider)
    {
        _outbox = outbox ?? throw new ArgumentNullException(nameof(outbox));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _endpoints = endpoints ?? throw new ArgumentNullException(nameof(endpoints));
        _time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
    }

    public IReadOnlyList<AlertView> GetAlerts()
    {
        var now = _time.GetUtcNow();
        var silences = _outbox.GetSilences().Where(s => s.IsActive(now)).Select(s => TryParse(s.Matchers)).Where(m => m is not null).ToList();
        return _outbox.GetAlerts().Select(t => ToView(t, silences!)).ToList();
    }

    public AlertView? GetAlert(string fingerprint)
    {
        var now = _time.GetUtcNow();
        var silences = _outbox.GetSilences().Where(s => s.IsActive(now)).Select(s => TryParse(s.Matchers)).Where(m => m is not null).ToList();
        return _outbox.GetAlert(fingerprint) is { } t ? ToView(t, silences!) : null;
    }

    /// <summary>Acknowledged alerts stop repeating; their resolve is still sent. False if the fingerprint is unknown.</summary>
    public bool Acknowledge(string fingerprint, string? by, string? comment) =>
        _outbox.Acknowledge(fingerprint, string.IsNullOrWhiteSpace(by) ? "anonymous" : by.Trim(), comment);

    public bool Unacknowledge(string fingerprint) => _outbox.Unacknowledge(fingerprint);

    public IReadOnlyList<Silence> GetSilences() => _outbox.GetSilences();

    /// <summary>Creates a silence; throws <see cref="ArgumentException"/> with a readable message for bad matchers or times.</summary>
    public Silence CreateSilence(SilenceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Matchers is not { Count: > 0 })
        {
            throw new ArgumentException("matchers: at least one matcher is required, e.g. [\"building=\\\"hq\\\"\"] (an empty silence would mute everything)");
        }

        foreach (var m in request.Matchers)
        {
            try
            {
                LabelMatcher.Parse(m);
            }
            catch (FormatException ex)
            {
                throw new ArgumentException(ex.Message, ex);
            }
        }

        var now = _time.GetUtcNow();
        var starts = request.StartsAt ?? now;
        var ends = request.EndsAt ?? (request.Duration is { } d ? starts + d : throw new ArgumentException("endsAt or duration is required: silences always expire"));
        if (ends <= starts || ends <= now)
        {
            throw new ArgumentException($"endsAt {ends:O} must be after startsAt {starts:O} and in the future");
        }

        return _outbox.AddSilence(request.Matchers, starts, ends, string.IsNullOrWhiteSpace(request.CreatedBy) ? "anonymous" : request.CreatedBy.Trim(), request.Comment ?? "");
    }

    public bool ExpireSilence(string id) => _outbox.ExpireSilence(id);

    public IReadOnlyList<DeadLetter> GetDeadLetters() => _outbox.GetDeadLetters();

    public DeadLetterRetryResult RetryDeadLetter(long id) => _outbox.RetryDeadLetter(id);

    public IReadOnlyList<EndpointView> GetEndpoints()
    {
        var states = _outbox.GetEndpoints().ToDictionary(e => e.Name, StringComparer.Ordinal);
        var counts = _outbox.CountByEndpoint();
        return _endpoints.Select(e =>
        {
            states.TryGetValue(e.Name, out var s);
            return new EndpointView(e.Name, e.Url.ToString(), e.Options.Format.ToString(), NotificationFormatter.SeverityName(e.Options.MinSeverity),
                s?.IsDisabled ?? false, s?.DisabledReason, s?.DisabledAt, counts.GetValueOrDefault(e.Name).Pending, counts.GetValueOrDefault(e.Name).DeadLetters);
        }).ToList();
    }

    public bool EnableEndpoint(string name) => _outbox.EnableEndpoint(name);

    public long QueueDepth => _outbox.CountPending();

    public long DeadLetterCount => _outbox.CountDeadLetters();

    private AlertView ToView(TrackedAlert t, List<IReadOnlyList<LabelMatcher>> silences)
    {
        var a = t.Alert;
        var labels = AlertLabels.For(a);
        return new AlertView(a.Fingerprint, a.RuleName, NotificationFormatter.StatusName(a.Status), NotificationFormatter.SeverityName(a.Severity),
            double.IsFinite(a.Value) ? a.Value : null, a.DeviceId, a.Family, a.Labels.GetValueOrDefault("building"), a.Labels.GetValueOrDefault("floor"),
            a.Labels, a.Annotations, a.StartsAt, a.EndsAt, a.At, t.IsAcknowledged, t.AcknowledgedBy, t.AcknowledgedAt, t.AcknowledgeComment,
            a.Status != AlertStatus.Resolved && silences.Any(m => LabelMatcher.MatchesAll(m, labels)),
            _options.ExternalUrl.TrimEnd('/') + "/alerts/" + Uri.EscapeDataString(a.Fingerprint));
    }

    private static IReadOnlyList<LabelMatcher>? TryParse(IReadOnlyList<string> matchers)
    {
        try
        {
            return LabelMatcher.ParseAll(matchers);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
