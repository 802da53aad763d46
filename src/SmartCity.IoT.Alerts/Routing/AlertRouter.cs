using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SmartCity.IoT.Alerts.Formats;
using SmartCity.IoT.Alerts.Options;
using SmartCity.IoT.Alerts.Outbox;
using SmartCity.IoT.Core.Alerting;

namespace SmartCity.IoT.Alerts.Routing;

/// <summary>
/// Alertmanager's dispatcher, made durable: takes published alerts from the outbox inbox, routes each to the endpoints it matches,
/// groups them (group_wait, group_interval, repeat_interval), drops silenced and inhibited ones, and enqueues one notification per
/// group flush in the endpoint's format. Group state is rebuilt after a restart from the stored alerts and notification log, so a
/// restart neither loses a pending notification nor repeats one. Single-threaded: driven by <see cref="AlertRoutingService"/> (or a test).
/// </summary>
internal sealed class AlertRouter
{
    private const string FlappingMark = "|flapping";
    private readonly AlertOutbox _outbox;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly AlertsOptions _options;
    private readonly IReadOnlyList<WebhookEndpoint> _endpoints;
    private readonly IReadOnlyList<InhibitRule> _inhibitRules;
    private readonly Dictionary<(string Endpoint, string Group), AggregationGroup> _groups = [];
    private readonly Dictionary<(string Endpoint, string Fingerprint), string> _groupOf = [];
    private readonly Dictionary<string, TrackedAlert> _alerts = new(StringComparer.Ordinal);
    private DateTimeOffset _lastPrune = DateTimeOffset.MinValue;

    public AlertRouter(AlertOutbox outbox, AlertsOptions options, IReadOnlyList<WebhookEndpoint> endpoints, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        _outbox = outbox ?? throw new ArgumentNullException(nameof(outbox));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _endpoints = endpoints ?? throw new ArgumentNullException(nameof(endpoints));
        _time = timeProvider ?? TimeProvider.System;
        _log = logger ?? NullLogger.Instance;
        _inhibitRules = options.EffectiveInhibitRules.Select(r => new InhibitRule(r)).ToArray();
    }

    /// <summary>When the next group is due, or null when no group is waiting.</summary>
    public DateTimeOffset? NextFlushAt => _groups.Count == 0 ? null : _groups.Values.Min(g => g.NextFlushAt);

    public int GroupCount => _groups.Count;

    /// <summary>Rebuilds groups from the stored alerts (call once at start). Groups already notified are re-checked at once; the notification log prevents duplicates.</summary>
    public void Recover()
    {
        var now = _time.GetUtcNow();
        foreach (var t in _outbox.GetAlerts())
        {
            _alerts[t.Alert.Fingerprint] = t;
            Route(t, now, recovering: true);
        }
    }

    /// <summary>Moves published alerts from the inbox into their groups. Returns how many were taken.</summary>
    public int ProcessInbox()
    {
        var now = _time.GetUtcNow();
        var rows = _outbox.ReadInbox();
        foreach (var (id, alert, error) in rows)
        {
            if (alert is null)
            {
                Log.InboxRowUnreadable(_log, id, error ?? "");
                _outbox.ApplyInbox(id, null);
                continue;
            }

            var tracked = _outbox.ApplyInbox(id, alert)!;
            _alerts[alert.Fingerprint] = tracked;
            Route(tracked, now, recovering: false);
        }

        return rows.Count;
    }

    /// <summary>Flushes every group whose time has come. Returns the number of notifications enqueued.</summary>
    public int FlushDue()
    {
        var now = _time.GetUtcNow();
        var enqueued = 0;
        List<AggregationGroup>? empty = null;
        var due = _groups.Values.Where(g => g.NextFlushAt <= now).ToList();
        var sources = due.Count > 0 ? InhibitSources() : [];
        foreach (var group in due)
        {
            if (Flush(group, now, sources))
            {
                enqueued++;
            }

            group.NextFlushAt = now + group.Endpoint.GroupInterval;
            if (group.Fingerprints.Count == 0)
            {
                (empty ??= []).Add(group);
            }
        }

        foreach (var g in empty ?? [])
        {
            _groups.Remove((g.Endpoint.Name, g.Key));
        }

        if (now - _lastPrune > TimeSpan.FromMinutes(10))
        {
            _lastPrune = now;
            _outbox.PruneResolved(now - _options.ResolvedRetention);
            foreach (var fp in _alerts.Where(p => !p.Value.IsFiring && p.Value.Alert.At < now - _options.ResolvedRetention).Select(p => p.Key).ToList())
            {
                _alerts.Remove(fp);
            }
        }

        return enqueued;
    }

    private void Route(TrackedAlert tracked, DateTimeOffset now, bool recovering)
    {
        var alert = tracked.Alert;
        var labels = AlertLabels.For(alert);
        foreach (var endpoint in _endpoints)
        {
            var known = _groupOf.TryGetValue((endpoint.Name, alert.Fingerprint), out var currentKey);
            // An alert already announced to an endpoint stays with it until resolved, even if it de-escalates below MinSeverity.
            if (!known && (!endpoint.Accepts(alert, labels) || (recovering && !tracked.IsFiring && !WasAnnounced(endpoint, alert))))
            {
                continue;
            }

            var (key, groupLabels) = GroupKey(endpoint, alert, labels);
            if (known && currentKey != key && _groups.TryGetValue((endpoint.Name, currentKey!), out var old))
            {
                old.Fingerprints.Remove(alert.Fingerprint);
            }

            if (!_groups.TryGetValue((endpoint.Name, key), out var group))
            {
                var logged = recovering && _outbox.GetNotifyLog(endpoint.Name, key) is not null;
                group = new AggregationGroup(endpoint, key, groupLabels) { NextFlushAt = logged ? now : now + endpoint.GroupWait };
                _groups[(endpoint.Name, key)] = group;
            }

            group.Fingerprints.Add(alert.Fingerprint);
            _groupOf[(endpoint.Name, alert.Fingerprint)] = key;
        }
    }

    private bool WasAnnounced(WebhookEndpoint endpoint, Alert alert)
    {
        var (key, _) = GroupKey(endpoint, alert, AlertLabels.For(alert));
        var entry = _outbox.GetNotifyLog(endpoint.Name, key);
        return entry is not null && Logged(entry, alert).Any();
    }

    private bool Flush(AggregationGroup group, DateTimeOffset now, List<(string Fingerprint, IReadOnlyDictionary<string, string> Labels)>[] sources)
    {
        var endpoint = group.Endpoint;
        if (_outbox.IsEndpointDisabled(endpoint.Name))
        {
            return false;
        }

        var entry = _outbox.GetNotifyLog(endpoint.Name, group.Key);
        var silences = ActiveSilences(now);
        var firing = new List<TrackedAlert>();
        var resolved = new List<TrackedAlert>();
        // Announced alerts that are muted now: the receiver still believes them firing, so the log keeps them until they resolve.
        var held = new HashSet<string>(StringComparer.Ordinal);
        var done = new List<string>();
        foreach (var fp in group.Fingerprints)
        {
            // Re-read: acknowledgements arrive through the API, possibly from another process.
            var t = _outbox.GetAlert(fp) ?? (_alerts.TryGetValue(fp, out var cached) ? cached : null);
            if (t is null)
            {
                done.Add(fp);
                continue;
            }

            _alerts[fp] = t;
            if (t.IsFiring)
            {
                if (!IsMuted(t, silences, sources))
                {
                    firing.Add(t);
                }
                else if (entry is not null)
                {
                    held.UnionWith(Logged(entry, t.Alert));
                }
            }
            else
            {
                done.Add(fp);
                // Only resolve what this endpoint was told was firing (an alert silenced from its start resolves silently). A resolve
                // of an announced alert is never muted: a silence stops noise about an open problem, and a receiver left showing it
                // open until the silence ends (hours, or a re-fire in between) is exactly the untrue state a silence must not cause.
                if (entry is not null && Logged(entry, t.Alert).Any())
                {
                    resolved.Add(t);
                }
            }
        }

        foreach (var fp in done)
        {
            group.Fingerprints.Remove(fp);
            _groupOf.Remove((endpoint.Name, fp));
        }

        var firingKeys = firing.Select(t => FiringKey(t.Alert, entry)).ToHashSet(StringComparer.Ordinal);
        var resolvedKeys = resolved.Select(t => EpisodeKey(t.Alert)).ToHashSet(StringComparer.Ordinal);
        // Held alerts are neither news nor repeats; only what the receiver can be sent decides whether the group is.
        var visible = entry is not null && held.Count > 0 ? entry with { Firing = entry.Firing.Except(held, StringComparer.Ordinal).ToHashSet(StringComparer.Ordinal) } : entry;
        if (!NeedsUpdate(visible, firingKeys, resolvedKeys, endpoint.Options.SendResolved, firing.Count > 0 && firing.All(t => t.IsAcknowledged), endpoint.RepeatInterval, now))
        {
            return false;
        }

        var send = firing.Concat(endpoint.Options.SendResolved ? resolved : []).OrderBy(t => t.Alert.StartsAt).ThenBy(t => t.Alert.Fingerprint, StringComparer.Ordinal).ToList();
        NewNotification? notification = null;
        if (send.Count > 0)
        {
            var max = endpoint.Options.MaxAlerts;
            var truncated = max > 0 && send.Count > max ? send.Count - max : 0;
            var included = truncated > 0 ? send.Take(max).ToList() : send;
            var n = new GroupNotification(endpoint.Name, group.Key, group.Labels, included, _options.ExternalUrl, truncated);
            var body = NotificationFormatter.Format(endpoint.Options.Format, n, endpoint.Options.Template, endpoint.Options.TextProperty);
            notification = new NewNotification(endpoint.Name, group.Key, n.Status, NotificationFormatter.JsonContentType, body,
                included.Select(t => t.Alert.Fingerprint).ToArray());
        }

        firingKeys.UnionWith(held);
        _outbox.EnqueueGroup(notification, endpoint.Name, group.Key, new NotifyLogEntry(firingKeys, resolvedKeys, now));
        if (notification is not null)
        {
            Log.GroupEnqueued(_log, endpoint.Name, group.Key, notification.Status, notification.Fingerprints.Count);
        }

        return notification is not null;
    }

    /// <summary>Alertmanager's DedupStage.needsUpdate, plus: acknowledged alerts do not repeat.</summary>
    internal static bool NeedsUpdate(NotifyLogEntry? entry, IReadOnlySet<string> firing, IReadOnlySet<string> resolved, bool sendResolved,
        bool allAcknowledged, TimeSpan repeat, DateTimeOffset now)
    {
        if (entry is null)
        {
            return firing.Count > 0;
        }

        if (!firing.IsSubsetOf(entry.Firing))
        {
            return true;
        }

        // Everything resolved: record it (clears the log's firing set) whether or not resolves are sent.
        if (firing.Count == 0)
        {
            return entry.Firing.Count > 0;
        }

        if (sendResolved && !resolved.IsSubsetOf(entry.Resolved))
        {
            return true;
        }

        return !allAcknowledged && now - entry.SentAt >= repeat;
    }

    private bool IsMuted(TrackedAlert target, List<(Silence Silence, IReadOnlyList<LabelMatcher> Matchers)> silences,
        List<(string Fingerprint, IReadOnlyDictionary<string, string> Labels)>[] sources)
    {
        var labels = AlertLabels.For(target.Alert);
        foreach (var (_, matchers) in silences)
        {
            if (LabelMatcher.MatchesAll(matchers, labels))
            {
                return true;
            }
        }

        for (var i = 0; i < _inhibitRules.Count; i++)
        {
            var rule = _inhibitRules[i];
            if (!LabelMatcher.MatchesAll(rule.Target, labels))
            {
                continue;
            }

            foreach (var (fingerprint, sourceLabels) in sources[i])
            {
                if (fingerprint != target.Alert.Fingerprint && rule.Inhibits(sourceLabels, labels))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Per inhibit rule, the firing alerts that match its source side (computed once per flush pass: an outage can fire thousands).</summary>
    private List<(string Fingerprint, IReadOnlyDictionary<string, string> Labels)>[] InhibitSources()
    {
        var result = new List<(string, IReadOnlyDictionary<string, string>)>[_inhibitRules.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = [];
        }

        foreach (var source in _alerts.Values)
        {
            if (!source.IsFiring)
            {
                continue;
            }

            var sourceLabels = AlertLabels.For(source.Alert);
            for (var i = 0; i < _inhibitRules.Count; i++)
            {
                if (LabelMatcher.MatchesAll(_inhibitRules[i].Source, sourceLabels))
                {
                    result[i].Add((source.Alert.Fingerprint, sourceLabels));
                }
            }
        }

        return result;
    }

    private List<(Silence, IReadOnlyList<LabelMatcher>)> ActiveSilences(DateTimeOffset now)
    {
        var list = new List<(Silence, IReadOnlyList<LabelMatcher>)>();
        foreach (var s in _outbox.GetSilences())
        {
            if (!s.IsActive(now))
            {
                continue;
            }

            try
            {
                list.Add((s, LabelMatcher.ParseAll(s.Matchers)));
            }
            catch (FormatException ex)
            {
                Log.SilenceInvalid(_log, s.Id, ex.Message);
            }
        }

        return list;
    }

    internal static (string Key, IReadOnlyDictionary<string, string> Labels) GroupKey(WebhookEndpoint endpoint, Alert alert, IReadOnlyDictionary<string, string> labels)
    {
        if (endpoint.GroupBy.Count == 0)
        {
            // "...": one group per alert; keyed by fingerprint so an escalation (new severity label) stays in the same group.
            return ("{}:{fingerprint=\"" + alert.Fingerprint + "\"}", labels);
        }

        var groupLabels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in endpoint.GroupBy)
        {
            if (labels.TryGetValue(name, out var v))
            {
                groupLabels[name] = v;
            }
        }

        var key = "{}:{" + string.Join(",", groupLabels.Select(p => p.Key + "=" + System.Text.Json.JsonSerializer.Serialize(p.Value))) + "}";
        return (key, groupLabels);
    }

    /// <summary>One firing episode of an alert: a new StartsAt is a new episode.</summary>
    private static string EpisodeKey(Alert a) => a.Fingerprint + "|" + a.StartsAt.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture) + "|";

    /// <summary>The firing keys of <paramref name="a"/>'s episode in the log: what the endpoint was told about it.</summary>
    private static IEnumerable<string> Logged(NotifyLogEntry entry, Alert a)
    {
        var episode = EpisodeKey(a);
        return entry.Firing.Where(k => k.StartsWith(episode, StringComparison.Ordinal));
    }

    /// <summary>
    /// Includes the severity, so an escalation (or de-escalation) is news and is sent, and whether the alert is flapping: the engine
    /// announces that with a firing of the same episode, and a firing now held because it flaps is news to the operator. The flapping
    /// mark sticks to the episode and severity once logged, so a later plain firing of it (the engine re-firing after a restart) is
    /// no news and the flapping is told once.
    /// </summary>
    private static string FiringKey(Alert a, NotifyLogEntry? entry)
    {
        var key = EpisodeKey(a) + NotificationFormatter.SeverityName(a.Severity);
        var flapping = key + FlappingMark;
        return a.Annotations.ContainsKey(AlertAnnotations.Flapping) || (entry?.Firing.Contains(flapping) ?? false) ? flapping : key;
    }

    private sealed class AggregationGroup(WebhookEndpoint endpoint, string key, IReadOnlyDictionary<string, string> labels)
    {
        public WebhookEndpoint Endpoint { get; } = endpoint;

        public string Key { get; } = key;

        public IReadOnlyDictionary<string, string> Labels { get; } = labels;

        public HashSet<string> Fingerprints { get; } = new(StringComparer.Ordinal);

        public DateTimeOffset NextFlushAt { get; set; }
    }
}
