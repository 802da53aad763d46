using SmartCity.IoT.Alerts.Delivery;
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
    private readonly IReadOnlyList<InhibitRule> _inhibitRules;
    private readonly WebhookDispatcher? _dispatcher;

    /// <param name="dispatcher">Tells which endpoints' circuit breakers are open; without it none is shown open.</param>
    public AlertStatusService(AlertOutbox outbox, AlertsOptions options, IReadOnlyList<WebhookEndpoint> endpoints, TimeProvider timeProvider, WebhookDispatcher? dispatcher = null)
    {
        _outbox = outbox ?? throw new ArgumentNullException(nameof(outbox));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _endpoints = endpoints ?? throw new ArgumentNullException(nameof(endpoints));
        _time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _inhibitRules = options.EffectiveInhibitRules.Select(r => new InhibitRule(r)).ToArray();
        _dispatcher = dispatcher;
    }

    public IReadOnlyList<AlertView> GetAlerts()
    {
        var all = _outbox.GetAlerts();
        var context = Context(all);
        return all.Select(t => ToView(t, context)).ToList();
    }

    public AlertView? GetAlert(string fingerprint) =>
        _outbox.GetAlert(fingerprint) is { } t ? ToView(t, Context(t.IsFiring && _inhibitRules.Count > 0 ? _outbox.GetAlerts() : [t])) : null;

    /// <summary>The alert's transitions, oldest first (the last <see cref="AlertTransitionStore.KeptPerAlert"/>).</summary>
    public IReadOnlyList<AlertTransition> GetTimeline(string fingerprint) => _outbox.GetTransitions(fingerprint);

    /// <summary>What happened to each notification that carried the alert, oldest first.</summary>
    public IReadOnlyList<DeliveryRecord> GetDeliveries(string fingerprint) => _outbox.GetDeliveries(fingerprint);

    /// <summary>The silences active now whose matchers all match the alert.</summary>
    public IReadOnlyList<Silence> SilencesCovering(AlertView alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var ids = alert.SilencedBy.ToHashSet(StringComparer.Ordinal);
        return _outbox.GetSilences().Where(s => ids.Contains(s.Id)).ToList();
    }

    public IReadOnlyList<OutboxNotification> GetPending(int limit = 200) => _outbox.GetPending(limit);

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
        var now = _time.GetUtcNow();
        return _endpoints.Select(e =>
        {
            states.TryGetValue(e.Name, out var s);
            var success = _outbox.GetLatestDelivery(e.Name, DeliveryRecord.Delivered);
            var failure = _outbox.GetLatestDelivery(e.Name, DeliveryRecord.Failed, DeliveryRecord.DeadLettered);
            var open = _dispatcher?.CircuitOpenUntil(e.Name) is { } until && until > now ? until : (DateTimeOffset?)null;
            return new EndpointView(e.Name, e.DisplayUrl, e.Options.Format.ToString(), NotificationFormatter.SeverityName(e.Options.MinSeverity),
                s?.IsDisabled ?? false, s?.DisabledReason, s?.DisabledAt, counts.GetValueOrDefault(e.Name).Pending, counts.GetValueOrDefault(e.Name).DeadLetters)
            {
                CircuitOpenUntil = open,
                LastSuccessAt = success?.At,
                LastFailureAt = failure?.At,
                LastFailure = failure?.Detail,
                Signing = e.IsSigned ? EndpointView.Signed : EndpointView.Unsigned,
            };
        }).ToList();
    }

    public bool EnableEndpoint(string name) => _outbox.EnableEndpoint(name);

    public long QueueDepth => _outbox.CountPending();

    public long DeadLetterCount => _outbox.CountDeadLetters();

    /// <summary>The active silences and the firing alerts (as inhibition sources) that views are computed against.</summary>
    private ViewContext Context(IReadOnlyList<TrackedAlert> alerts)
    {
        var now = _time.GetUtcNow();
        var silences = _outbox.GetSilences().Where(s => s.IsActive(now))
            .Select(s => (s.Id, Matchers: TryParse(s.Matchers))).Where(s => s.Matchers is not null).Select(s => (s.Id, s.Matchers!)).ToList();
        // Per inhibit rule, the firing alerts on its source side, matched once (not once per alert shown: an outage fires thousands).
        var firing = _inhibitRules.Count == 0 ? [] : alerts.Where(a => a.IsFiring).Select(a => (a.Alert.Fingerprint, Labels: AlertLabels.For(a.Alert))).ToList();
        var sources = _inhibitRules.Select(r => firing.Where(f => LabelMatcher.MatchesAll(r.Source, f.Labels)).ToList()).ToArray();
        return new ViewContext(silences, sources);
    }

    private AlertView ToView(TrackedAlert t, ViewContext context)
    {
        var a = t.Alert;
        var labels = AlertLabels.For(a);
        var firing = a.Status != AlertStatus.Resolved;
        var silencedBy = firing ? context.Silences.Where(s => LabelMatcher.MatchesAll(s.Matchers, labels)).Select(s => s.Id).ToList() : [];
        return new AlertView(a.Fingerprint, a.RuleName, NotificationFormatter.StatusName(a.Status), NotificationFormatter.SeverityName(a.Severity),
            double.IsFinite(a.Value) ? a.Value : null, a.DeviceId, a.Family, a.Labels.GetValueOrDefault("building"), a.Labels.GetValueOrDefault("floor"),
            a.Labels, a.Annotations, a.StartsAt, a.EndsAt, a.At, t.IsAcknowledged, t.AcknowledgedBy, t.AcknowledgedAt, t.AcknowledgeComment,
            silencedBy.Count > 0,
            _options.ExternalUrl.TrimEnd('/') + "/alerts/" + Uri.EscapeDataString(a.Fingerprint))
        {
            SilencedBy = silencedBy,
            InhibitedBy = firing ? InhibitorOf(a, labels, context.Sources) : null,
            ValueText = a.ValueText,
            ProfileId = a.ProfileId,
        };
    }

    /// <summary>The fingerprint of a firing alert that inhibits <paramref name="target"/> under one of the inhibit rules, or null.</summary>
    private string? InhibitorOf(Alert target, IReadOnlyDictionary<string, string> labels, List<(string Fingerprint, IReadOnlyDictionary<string, string> Labels)>[] sources)
    {
        for (var i = 0; i < _inhibitRules.Count; i++)
        {
            var rule = _inhibitRules[i];
            if (!LabelMatcher.MatchesAll(rule.Target, labels))
            {
                continue;
            }

            foreach (var (fingerprint, sourceLabels) in sources[i])
            {
                if (fingerprint != target.Fingerprint && rule.AgreeOnEqual(sourceLabels, labels))
                {
                    return fingerprint;
                }
            }
        }

        return null;
    }

    /// <param name="Sources">Per inhibit rule, the firing alerts that match its source matchers.</param>
    private sealed record ViewContext(List<(string Id, IReadOnlyList<LabelMatcher> Matchers)> Silences, List<(string Fingerprint, IReadOnlyDictionary<string, string> Labels)>[] Sources);

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
