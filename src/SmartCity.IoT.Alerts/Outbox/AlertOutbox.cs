using SmartCity.IoT.Core.Alerting;

namespace SmartCity.IoT.Alerts.Outbox;

/// <summary>
/// The durable state of alert delivery in one SQLite file (see <see cref="OutboxDatabase"/> and <see cref="OutboxSchema"/>): one store per
/// table, and here the operations that span tables, each in one transaction. Safe to open from several processes (the gateway and the CLI).
/// </summary>
internal sealed class AlertOutbox
{
    private readonly OutboxDatabase _db;
    private readonly InboxStore _inbox;
    private readonly TrackedAlertStore _alerts;
    private readonly AcknowledgementStore _acks;
    private readonly SilenceStore _silences;
    private readonly NotifyLogStore _notifyLog;
    private readonly NotificationStore _notifications;
    private readonly DeadLetterStore _deadLetters;
    private readonly EndpointStore _endpoints;
    private readonly AlertTransitionStore _transitions;
    private readonly DeliveryLogStore _deliveries;

    /// <summary>Opens (or creates) the file and brings its schema up to date; throws <see cref="OutboxSchemaException"/> for a file from a newer version.</summary>
    public AlertOutbox(string path, TimeProvider? timeProvider = null)
    {
        _db = new OutboxDatabase(path, timeProvider ?? TimeProvider.System);
        _inbox = new InboxStore(_db);
        _alerts = new TrackedAlertStore(_db);
        _acks = new AcknowledgementStore(_db);
        _silences = new SilenceStore(_db);
        _notifyLog = new NotifyLogStore(_db);
        _notifications = new NotificationStore(_db);
        _deadLetters = new DeadLetterStore(_db);
        _endpoints = new EndpointStore(_db);
        _transitions = new AlertTransitionStore(_db);
        _deliveries = new DeliveryLogStore(_db);
    }

    /// <summary>The full path of the SQLite file.</summary>
    public string Path => _db.Path;

    /// <summary>Raised after a notification is stored, so the dispatcher wakes at once.</summary>
    public event Action? NotificationEnqueued;

    // ---- inbox and tracked alerts ----

    /// <summary>Appends published alerts in one transaction: one commit (and fsync) for the lot, in order.</summary>
    public void AppendInbox(IReadOnlyList<Alert> alerts) => _inbox.Append(alerts);

    /// <inheritdoc cref="InboxStore.Read"/>
    public List<(long Id, Alert? Alert, string? Error)> ReadInbox(int limit = 500) => _inbox.Read(limit);

    /// <summary>Moves one inbox row into the alert table (an unreadable row, <paramref name="alert"/> null, is only removed).</summary>
    public TrackedAlert? ApplyInbox(long inboxId, Alert? alert) => _db.InTransaction(c =>
    {
        var tracked = alert is null ? null : _alerts.Apply(c, alert);
        if (tracked is not null)
        {
            AlertTransitionStore.Append(c, tracked.Alert);
        }

        InboxStore.Delete(c, inboxId);
        return tracked;
    });

    public IReadOnlyList<TrackedAlert> GetAlerts() => _alerts.GetAll();

    public TrackedAlert? GetAlert(string fingerprint) => _alerts.Get(fingerprint);

    /// <inheritdoc cref="AlertTransitionStore.Get"/>
    public IReadOnlyList<AlertTransition> GetTransitions(string fingerprint) => _transitions.Get(fingerprint);

    /// <inheritdoc cref="DeliveryLogStore.ForAlert"/>
    public IReadOnlyList<DeliveryRecord> GetDeliveries(string fingerprint) => _deliveries.ForAlert(fingerprint);

    /// <inheritdoc cref="DeliveryLogStore.Latest"/>
    public DeliveryRecord? GetLatestDelivery(string endpoint, params string[] outcomes) => _deliveries.Latest(endpoint, outcomes);

    /// <summary>
    /// The latest transition of every firing alert as it will be once the router has taken the inbox: the stored alerts with the
    /// inbox's transitions applied in order, read in one snapshot. Writes nothing.
    /// </summary>
    public IReadOnlyList<Alert> GetFiring() => _db.Snapshot(c =>
    {
        var firing = TrackedAlertStore.GetFiring(c).ToDictionary(a => a.Fingerprint, StringComparer.Ordinal);
        foreach (var alert in InboxStore.ReadAll(c))
        {
            if (alert.Status == AlertStatus.Resolved)
            {
                firing.Remove(alert.Fingerprint);
            }
            else
            {
                firing[alert.Fingerprint] = TrackedAlertStore.ContinueEpisode(firing.GetValueOrDefault(alert.Fingerprint), alert);
            }
        }

        return (IReadOnlyList<Alert>)firing.Values.OrderBy(a => a.StartsAt).ThenBy(a => a.Fingerprint, StringComparer.Ordinal).ToList();
    });

    /// <summary>
    /// Per device, the newest <see cref="Alert.EvaluatedUpToNs"/> among the stored alerts (firing or resolved, until pruned) and
    /// the inbox's transitions, read in one snapshot. Writes nothing.
    /// </summary>
    public IReadOnlyList<ReplayFloor> GetReplayFloors() => _db.Snapshot(c =>
        (IReadOnlyList<ReplayFloor>)TrackedAlertStore.GetAll(c).Concat(InboxStore.ReadAll(c))
            .Where(a => a.EvaluatedUpToNs > 0)
            .GroupBy(a => (a.ProfileId, a.DeviceId))
            .Select(g => new ReplayFloor(g.Key.ProfileId, g.Key.DeviceId, g.Max(a => a.EvaluatedUpToNs)))
            .ToList());

    /// <inheritdoc cref="AcknowledgementStore.Acknowledge"/>
    public bool Acknowledge(string fingerprint, string by, string? comment) => _acks.Acknowledge(fingerprint, by, comment);

    public bool Unacknowledge(string fingerprint) => _acks.Unacknowledge(fingerprint);

    /// <summary>Forgets resolved alerts, and the log entries of groups with nothing firing, last changed before <paramref name="olderThan"/>.</summary>
    public int PruneResolved(DateTimeOffset olderThan) => _db.InTransaction(c =>
    {
        var pruned = TrackedAlertStore.PruneResolved(c, olderThan.ToUnixTimeMilliseconds()) + NotifyLogStore.PruneResolved(c, olderThan.ToUnixTimeMilliseconds());
        AlertTransitionStore.PruneOrphans(c);
        DeliveryLogStore.PruneOlderThan(c, olderThan.ToUnixTimeMilliseconds());
        return pruned;
    });

    // ---- silences ----

    public Silence AddSilence(IReadOnlyList<string> matchers, DateTimeOffset startsAt, DateTimeOffset endsAt, string createdBy, string comment) =>
        _silences.Add(matchers, startsAt, endsAt, createdBy, comment);

    public IReadOnlyList<Silence> GetSilences() => _silences.GetAll();

    /// <inheritdoc cref="SilenceStore.Expire"/>
    public bool ExpireSilence(string id) => _silences.Expire(id);

    // ---- grouping and the outbox ----

    public NotifyLogEntry? GetNotifyLog(string endpoint, string groupKey) => _notifyLog.Get(endpoint, groupKey);

    /// <summary>Stores the notification (if any) and the group's new log entry in one transaction: a crash leaves either both or neither.</summary>
    public long? EnqueueGroup(NewNotification? notification, string endpoint, string groupKey, NotifyLogEntry entry)
    {
        var id = _db.InTransaction(c =>
        {
            long? stored = notification is null ? null : _notifications.Insert(c, notification);
            NotifyLogStore.Put(c, endpoint, groupKey, entry);
            return stored;
        });
        if (id is not null)
        {
            NotificationEnqueued?.Invoke();
        }

        return id;
    }

    /// <summary>Stores a notification for its first attempt now. Returns its row id.</summary>
    public long Enqueue(NewNotification notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var id = _db.InTransaction(c => _notifications.Insert(c, notification));
        NotificationEnqueued?.Invoke();
        return id;
    }

    /// <inheritdoc cref="NotificationStore.GetDue"/>
    public IReadOnlyList<OutboxNotification> GetDue(DateTimeOffset now, string? endpoint = null, int limit = 100) => _notifications.GetDue(now, endpoint, limit);

    public IReadOnlyList<OutboxNotification> GetPending(int limit = 1000) => _notifications.GetPending(limit);

    /// <inheritdoc cref="NotificationStore.GetNextAttemptAt"/>
    public DateTimeOffset? GetNextAttemptAt(string? endpoint = null) => _notifications.GetNextAttemptAt(endpoint);

    public long CountPending() => _notifications.Count();

    /// <inheritdoc cref="EndpointStore.CountByEndpoint"/>
    public IReadOnlyDictionary<string, (int Pending, int DeadLetters)> CountByEndpoint() => _endpoints.CountByEndpoint();

    /// <inheritdoc cref="NotificationStore.MarkDelivered"/>
    public void MarkDelivered(long id) => _notifications.MarkDelivered(id);

    /// <inheritdoc cref="NotificationStore.Reschedule"/>
    public void Reschedule(long id, DateTimeOffset nextAttemptAt, int attempts, string error) => _notifications.Reschedule(id, nextAttemptAt, attempts, error);

    // ---- dead letters ----

    /// <summary>Moves a notification to the dead letters (keeping its id and webhook-id, so a retry is the same notification).</summary>
    public void MoveToDeadLetter(long id, int attempts, string reason) => _db.InTransaction(c =>
    {
        DeadLetterStore.CopyFromOutbox(c, id, _db.Now(), attempts, reason);
        NotificationStore.Delete(c, id);
        DeliveryLogStore.Add(c, id, DeliveryRecord.DeadLettered, attempts, reason, _db.Now());
    });

    public IReadOnlyList<DeadLetter> GetDeadLetters(int limit = 1000) => _deadLetters.GetAll(limit);

    public long CountDeadLetters() => _deadLetters.Count();

    /// <summary>
    /// Puts a dead letter back in the outbox with its original id and webhook-id, due now, with a fresh schedule.
    /// Refused when a later notification about the same alert already reached that endpoint (a stale firing must not follow its resolve).
    /// </summary>
    public DeadLetterRetryResult RetryDeadLetter(long id)
    {
        var result = _db.InTransaction(c =>
        {
            if (DeadLetterStore.Find(c, id) is not { } found)
            {
                return DeadLetterRetryResult.NotFound;
            }

            var (endpoint, fingerprints) = found;

            if (fingerprints.Any(fp => NotificationStore.LastDelivered(c, endpoint, fp) > id))
            {
                return DeadLetterRetryResult.Superseded;
            }

            DeadLetterStore.MoveToOutbox(c, id, _db.Now());
            DeliveryLogStore.Add(c, id, DeliveryRecord.Requeued, 0, "retried from the dead letters", _db.Now());
            foreach (var fp in fingerprints)
            {
                NotificationStore.LinkAlert(c, id, endpoint, fp);
            }

            return DeadLetterRetryResult.Requeued;
        });
        if (result == DeadLetterRetryResult.Requeued)
        {
            NotificationEnqueued?.Invoke();
        }

        return result;
    }

    // ---- endpoints ----

    /// <inheritdoc cref="EndpointStore.Sync"/>
    /// <summary>Registers the configured endpoints; only their redacted URLs (and a salted hash to notice a change) are stored.</summary>
    public void SyncEndpoints(IEnumerable<(string Name, Uri Url)> endpoints) => _endpoints.Sync(endpoints);

    public IReadOnlyList<EndpointState> GetEndpoints() => _endpoints.GetAll();

    /// <summary>
    /// Disables an endpoint (after 410 Gone): nothing more is enqueued for it and its pending notifications move to the dead letters,
    /// from where they can be retried once it is enabled again. Returns how many were moved.
    /// </summary>
    public int DisableEndpoint(string name, string reason) => _db.InTransaction(c =>
    {
        var now = _db.Now();
        EndpointStore.Disable(c, name, now, reason);
        var moved = DeadLetterStore.CopyEndpointFromOutbox(c, name, now, reason);
        DeliveryLogStore.AddEndpoint(c, name, DeliveryRecord.DeadLettered, "endpoint disabled: " + reason, now);
        NotificationStore.DeleteEndpoint(c, name);
        return moved;
    });

    public bool IsEndpointDisabled(string name) => _endpoints.IsDisabled(name);

    /// <summary>Enables an endpoint disabled by a 410 and wakes the dispatcher; false if it was not disabled.</summary>
    public bool EnableEndpoint(string name)
    {
        var changed = _endpoints.Enable(name);
        if (changed)
        {
            NotificationEnqueued?.Invoke();
        }

        return changed;
    }
}
