using System.Text.Json;
using Microsoft.Data.Sqlite;
using SmartCity.IoT.Core.Alerting;

namespace SmartCity.IoT.Alerts.Outbox;

/// <summary>
/// The durable state of alert delivery in one SQLite file (WAL, synchronous=FULL): the inbox of published alerts, the alerts
/// themselves with their acknowledgements, silences, the notification log used for grouping, the outbox of notifications
/// (removed only after a 2xx) and the dead letters. Safe to open from several processes (the gateway and the CLI).
/// </summary>
public sealed class AlertOutbox
{
    private readonly string _connectionString;
    private readonly TimeProvider _time;

    public AlertOutbox(string path, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        _time = timeProvider ?? TimeProvider.System;
        var dir = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
        }

        _connectionString = new SqliteConnectionStringBuilder { DataSource = Path, Pooling = true, DefaultTimeout = 30 }.ToString();
        using var c = Open();
        Exec(c, """
            PRAGMA journal_mode=WAL;
            CREATE TABLE IF NOT EXISTS inbox(id INTEGER PRIMARY KEY AUTOINCREMENT, alert TEXT NOT NULL, received_at INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS alerts(fingerprint TEXT PRIMARY KEY, alert TEXT NOT NULL, firing INTEGER NOT NULL, starts_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL, acked_at INTEGER, acked_by TEXT, ack_comment TEXT);
            CREATE TABLE IF NOT EXISTS silences(id TEXT PRIMARY KEY, matchers TEXT NOT NULL, starts_at INTEGER NOT NULL, ends_at INTEGER NOT NULL,
                created_by TEXT NOT NULL, comment TEXT NOT NULL, created_at INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS notify_log(endpoint TEXT NOT NULL, group_key TEXT NOT NULL, firing TEXT NOT NULL, resolved TEXT NOT NULL,
                sent_at INTEGER NOT NULL, PRIMARY KEY(endpoint, group_key));
            CREATE TABLE IF NOT EXISTS notifications(id INTEGER PRIMARY KEY AUTOINCREMENT, webhook_id TEXT NOT NULL UNIQUE, endpoint TEXT NOT NULL,
                group_key TEXT NOT NULL, status TEXT NOT NULL, content_type TEXT NOT NULL, body BLOB NOT NULL, fingerprints TEXT NOT NULL,
                created_at INTEGER NOT NULL, next_attempt_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT);
            CREATE TABLE IF NOT EXISTS notification_alerts(notification_id INTEGER NOT NULL, endpoint TEXT NOT NULL, fingerprint TEXT NOT NULL,
                PRIMARY KEY(notification_id, fingerprint));
            CREATE INDEX IF NOT EXISTS ix_notification_alerts_fp ON notification_alerts(endpoint, fingerprint, notification_id);
            CREATE INDEX IF NOT EXISTS ix_notifications_due ON notifications(next_attempt_at);
            CREATE TABLE IF NOT EXISTS delivered_log(endpoint TEXT NOT NULL, fingerprint TEXT NOT NULL, last_id INTEGER NOT NULL, PRIMARY KEY(endpoint, fingerprint));
            CREATE TABLE IF NOT EXISTS dead_letters(id INTEGER PRIMARY KEY, webhook_id TEXT NOT NULL, endpoint TEXT NOT NULL, group_key TEXT NOT NULL,
                status TEXT NOT NULL, content_type TEXT NOT NULL, body BLOB NOT NULL, fingerprints TEXT NOT NULL, created_at INTEGER NOT NULL,
                dead_at INTEGER NOT NULL, attempts INTEGER NOT NULL, reason TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS endpoints(name TEXT PRIMARY KEY, url TEXT NOT NULL, disabled_at INTEGER, reason TEXT);
            """);
    }

    /// <summary>The full path of the SQLite file.</summary>
    public string Path { get; }

    /// <summary>Raised after a notification is stored, so the dispatcher wakes at once.</summary>
    public event Action? NotificationEnqueued;

    // ---- inbox (write-ahead of published alerts) ----

    public long AppendInbox(Alert alert)
    {
        using var c = Open();
        using var cmd = Cmd(c, "INSERT INTO inbox(alert, received_at) VALUES($a, $t); SELECT last_insert_rowid();");
        cmd.Parameters.AddWithValue("$a", AlertJson.Serialize(alert));
        cmd.Parameters.AddWithValue("$t", Now());
        return (long)cmd.ExecuteScalar()!;
    }

    /// <summary>Appends several alerts in one transaction: one commit (and fsync) for the lot, in order.</summary>
    public void AppendInbox(IReadOnlyList<Alert> alerts)
    {
        using var c = Open();
        using var tx = c.BeginTransaction();
        using var cmd = Cmd(c, "INSERT INTO inbox(alert, received_at) VALUES($a, $t);");
        cmd.Transaction = tx;
        var a = cmd.Parameters.Add("$a", SqliteType.Text);
        var t = cmd.Parameters.Add("$t", SqliteType.Integer);
        foreach (var alert in alerts)
        {
            a.Value = AlertJson.Serialize(alert);
            t.Value = Now();
            cmd.ExecuteNonQuery();
        }

        tx.Commit();
    }

    /// <summary>Unprocessed published alerts in publish order. A row that cannot be read is returned with a null alert (and its error) so it can be dropped loudly.</summary>
    internal List<(long Id, Alert? Alert, string? Error)> ReadInbox(int limit = 500)
    {
        using var c = Open();
        using var cmd = Cmd(c, "SELECT id, alert FROM inbox ORDER BY id LIMIT $n");
        cmd.Parameters.AddWithValue("$n", limit);
        var list = new List<(long, Alert?, string?)>();
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            try
            {
                list.Add((r.GetInt64(0), AlertJson.Deserialize(r.GetString(1)), null));
            }
            catch (JsonException ex)
            {
                list.Add((r.GetInt64(0), null, ex.Message));
            }
        }

        return list;
    }

    /// <summary>Moves one inbox row into the alert table (keyed by fingerprint). A new episode (new StartsAt) or an escalation clears the acknowledgement.</summary>
    internal TrackedAlert? ApplyInbox(long inboxId, Alert? alert)
    {
        using var c = Open();
        using var tx = c.BeginTransaction();
        TrackedAlert? result = null;
        if (alert is not null)
        {
            var existing = GetAlert(c, alert.Fingerprint);
            var keepAck = existing is { AcknowledgedAt: not null } && existing.Alert.StartsAt == alert.StartsAt && alert.Status != AlertStatus.Escalated;
            using var up = Cmd(c, """
                INSERT INTO alerts(fingerprint, alert, firing, starts_at, updated_at, acked_at, acked_by, ack_comment)
                VALUES($f, $a, $firing, $s, $u, $ackAt, $ackBy, $ackC)
                ON CONFLICT(fingerprint) DO UPDATE SET alert=$a, firing=$firing, starts_at=$s, updated_at=$u, acked_at=$ackAt, acked_by=$ackBy, ack_comment=$ackC
                """);
            up.Parameters.AddWithValue("$f", alert.Fingerprint);
            up.Parameters.AddWithValue("$a", AlertJson.Serialize(alert));
            up.Parameters.AddWithValue("$firing", alert.Status == AlertStatus.Resolved ? 0 : 1);
            up.Parameters.AddWithValue("$s", alert.StartsAt.ToUnixTimeMilliseconds());
            up.Parameters.AddWithValue("$u", Now());
            up.Parameters.AddWithValue("$ackAt", keepAck ? existing!.AcknowledgedAt!.Value.ToUnixTimeMilliseconds() : DBNull.Value);
            up.Parameters.AddWithValue("$ackBy", keepAck ? (object?)existing!.AcknowledgedBy ?? DBNull.Value : DBNull.Value);
            up.Parameters.AddWithValue("$ackC", keepAck ? (object?)existing!.AcknowledgeComment ?? DBNull.Value : DBNull.Value);
            up.ExecuteNonQuery();
            result = keepAck ? existing! with { Alert = alert } : new TrackedAlert(alert, null, null, null);
        }

        using var del = Cmd(c, "DELETE FROM inbox WHERE id=$id");
        del.Parameters.AddWithValue("$id", inboxId);
        del.ExecuteNonQuery();
        tx.Commit();
        return result;
    }

    // ---- alerts and acknowledgements ----

    public IReadOnlyList<TrackedAlert> GetAlerts()
    {
        using var c = Open();
        using var cmd = Cmd(c, "SELECT alert, acked_at, acked_by, ack_comment FROM alerts ORDER BY firing DESC, updated_at DESC");
        var list = new List<TrackedAlert>();
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            list.Add(ReadTracked(r));
        }

        return list;
    }

    public TrackedAlert? GetAlert(string fingerprint)
    {
        using var c = Open();
        return GetAlert(c, fingerprint);
    }

    /// <summary>Acknowledges the alert's current episode; false if the fingerprint is unknown.</summary>
    public bool Acknowledge(string fingerprint, string by, string? comment)
    {
        using var c = Open();
        using var cmd = Cmd(c, "UPDATE alerts SET acked_at=$t, acked_by=$b, ack_comment=$c WHERE fingerprint=$f");
        cmd.Parameters.AddWithValue("$t", Now());
        cmd.Parameters.AddWithValue("$b", by);
        cmd.Parameters.AddWithValue("$c", (object?)comment ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$f", fingerprint);
        return cmd.ExecuteNonQuery() > 0;
    }

    public bool Unacknowledge(string fingerprint)
    {
        using var c = Open();
        using var cmd = Cmd(c, "UPDATE alerts SET acked_at=NULL, acked_by=NULL, ack_comment=NULL WHERE fingerprint=$f");
        cmd.Parameters.AddWithValue("$f", fingerprint);
        return cmd.ExecuteNonQuery() > 0;
    }

    /// <summary>Forgets resolved alerts whose last change is older than <paramref name="olderThan"/>.</summary>
    internal int PruneResolved(DateTimeOffset olderThan)
    {
        using var c = Open();
        // Log entries of groups that have nothing firing are only needed until their resolve went out.
        using var cmd = Cmd(c, "DELETE FROM alerts WHERE firing=0 AND updated_at < $t; DELETE FROM notify_log WHERE firing='[]' AND sent_at < $t;");
        cmd.Parameters.AddWithValue("$t", olderThan.ToUnixTimeMilliseconds());
        return cmd.ExecuteNonQuery();
    }

    // ---- silences ----

    public Silence AddSilence(IReadOnlyList<string> matchers, DateTimeOffset startsAt, DateTimeOffset endsAt, string createdBy, string comment)
    {
        var s = new Silence(Guid.CreateVersion7(_time.GetUtcNow()).ToString("N"), matchers, startsAt, endsAt, createdBy, comment, _time.GetUtcNow());
        using var c = Open();
        using var cmd = Cmd(c, "INSERT INTO silences(id, matchers, starts_at, ends_at, created_by, comment, created_at) VALUES($id,$m,$s,$e,$b,$c,$t)");
        cmd.Parameters.AddWithValue("$id", s.Id);
        cmd.Parameters.AddWithValue("$m", JsonSerializer.Serialize(matchers));
        cmd.Parameters.AddWithValue("$s", s.StartsAt.ToUnixTimeMilliseconds());
        cmd.Parameters.AddWithValue("$e", s.EndsAt.ToUnixTimeMilliseconds());
        cmd.Parameters.AddWithValue("$b", createdBy);
        cmd.Parameters.AddWithValue("$c", comment);
        cmd.Parameters.AddWithValue("$t", s.CreatedAt.ToUnixTimeMilliseconds());
        cmd.ExecuteNonQuery();
        return s;
    }

    public IReadOnlyList<Silence> GetSilences()
    {
        using var c = Open();
        using var cmd = Cmd(c, "SELECT id, matchers, starts_at, ends_at, created_by, comment, created_at FROM silences ORDER BY ends_at DESC");
        var list = new List<Silence>();
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            list.Add(new Silence(r.GetString(0), JsonSerializer.Deserialize<string[]>(r.GetString(1)) ?? [], Ms(r.GetInt64(2)), Ms(r.GetInt64(3)),
                r.GetString(4), r.GetString(5), Ms(r.GetInt64(6))));
        }

        return list;
    }

    /// <summary>Ends a silence now (kept for the record, like Alertmanager's expired silences). False if unknown or already over.</summary>
    public bool ExpireSilence(string id)
    {
        using var c = Open();
        using var cmd = Cmd(c, "UPDATE silences SET ends_at=$t WHERE id=$id AND ends_at > $t");
        cmd.Parameters.AddWithValue("$t", Now());
        cmd.Parameters.AddWithValue("$id", id);
        return cmd.ExecuteNonQuery() > 0;
    }

    // ---- notification log (grouping dedup) ----

    internal NotifyLogEntry? GetNotifyLog(string endpoint, string groupKey)
    {
        using var c = Open();
        using var cmd = Cmd(c, "SELECT firing, resolved, sent_at FROM notify_log WHERE endpoint=$e AND group_key=$g");
        cmd.Parameters.AddWithValue("$e", endpoint);
        cmd.Parameters.AddWithValue("$g", groupKey);
        using var r = cmd.ExecuteReader();
        if (!r.Read())
        {
            return null;
        }

        return new NotifyLogEntry(
            JsonSerializer.Deserialize<HashSet<string>>(r.GetString(0)) ?? [],
            JsonSerializer.Deserialize<HashSet<string>>(r.GetString(1)) ?? [],
            Ms(r.GetInt64(2)));
    }

    /// <summary>Stores the notification (if any) and the group's new log entry in one transaction: a crash leaves either both or neither.</summary>
    internal long? EnqueueGroup(NewNotification? notification, string endpoint, string groupKey, NotifyLogEntry entry)
    {
        long? id = null;
        using (var c = Open())
        {
            using var tx = c.BeginTransaction();
            if (notification is not null)
            {
                id = Insert(c, notification, null);
            }

            using var log = Cmd(c, """
                INSERT INTO notify_log(endpoint, group_key, firing, resolved, sent_at) VALUES($e,$g,$f,$r,$t)
                ON CONFLICT(endpoint, group_key) DO UPDATE SET firing=$f, resolved=$r, sent_at=$t
                """);
            log.Parameters.AddWithValue("$e", endpoint);
            log.Parameters.AddWithValue("$g", groupKey);
            log.Parameters.AddWithValue("$f", JsonSerializer.Serialize(entry.Firing));
            log.Parameters.AddWithValue("$r", JsonSerializer.Serialize(entry.Resolved));
            log.Parameters.AddWithValue("$t", entry.SentAt.ToUnixTimeMilliseconds());
            log.ExecuteNonQuery();
            tx.Commit();
        }

        if (id is not null)
        {
            NotificationEnqueued?.Invoke();
        }

        return id;
    }

    // ---- outbox ----

    /// <summary>Stores a notification for its first attempt now. Returns its row id.</summary>
    public long Enqueue(NewNotification notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        long id;
        using (var c = Open())
        {
            using var tx = c.BeginTransaction();
            id = Insert(c, notification, null);
            tx.Commit();
        }

        NotificationEnqueued?.Invoke();
        return id;
    }

    /// <summary>
    /// Notifications whose next attempt is due, oldest first, skipping disabled endpoints and any notification that shares an alert
    /// with an older pending one for the same endpoint (so a resolve never overtakes its firing).
    /// </summary>
    public IReadOnlyList<OutboxNotification> GetDue(DateTimeOffset now, string? endpoint = null, int limit = 100)
    {
        using var c = Open();
        using var cmd = Cmd(c, """
            SELECT n.id, n.webhook_id, n.endpoint, n.group_key, n.status, n.content_type, n.body, n.created_at, n.next_attempt_at, n.attempts, n.last_error, n.fingerprints
            FROM notifications n
            WHERE n.next_attempt_at <= $now
              AND ($e IS NULL OR n.endpoint = $e)
              AND n.endpoint NOT IN (SELECT name FROM endpoints WHERE disabled_at IS NOT NULL)
              AND NOT EXISTS (SELECT 1 FROM notification_alerts a
                              JOIN notification_alerts b ON b.endpoint = a.endpoint AND b.fingerprint = a.fingerprint AND b.notification_id < a.notification_id
                              WHERE a.notification_id = n.id)
            ORDER BY n.id LIMIT $n
            """);
        cmd.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        cmd.Parameters.AddWithValue("$e", (object?)endpoint ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$n", limit);
        return ReadNotifications(cmd);
    }

    public IReadOnlyList<OutboxNotification> GetPending(int limit = 1000)
    {
        using var c = Open();
        using var cmd = Cmd(c, """
            SELECT id, webhook_id, endpoint, group_key, status, content_type, body, created_at, next_attempt_at, attempts, last_error, fingerprints
            FROM notifications ORDER BY id LIMIT $n
            """);
        cmd.Parameters.AddWithValue("$n", limit);
        return ReadNotifications(cmd);
    }

    /// <summary>The earliest next-attempt time of any pending notification of an enabled endpoint, or null.</summary>
    public DateTimeOffset? GetNextAttemptAt(string? endpoint = null)
    {
        using var c = Open();
        using var cmd = Cmd(c, "SELECT MIN(next_attempt_at) FROM notifications WHERE ($e IS NULL OR endpoint = $e) AND endpoint NOT IN (SELECT name FROM endpoints WHERE disabled_at IS NOT NULL)");
        cmd.Parameters.AddWithValue("$e", (object?)endpoint ?? DBNull.Value);
        return cmd.ExecuteScalar() is long ms ? Ms(ms) : null;
    }

    public long CountPending()
    {
        using var c = Open();
        using var cmd = Cmd(c, "SELECT COUNT(*) FROM notifications");
        return (long)cmd.ExecuteScalar()!;
    }

    /// <summary>Pending notifications and dead letters per endpoint (for the status page; no bodies are read).</summary>
    public IReadOnlyDictionary<string, (int Pending, int DeadLetters)> CountByEndpoint()
    {
        using var c = Open();
        using var cmd = Cmd(c, """
            SELECT endpoint, SUM(pending), SUM(dead) FROM (
                SELECT endpoint, 1 AS pending, 0 AS dead FROM notifications
                UNION ALL SELECT endpoint, 0, 1 FROM dead_letters)
            GROUP BY endpoint
            """);
        var result = new Dictionary<string, (int, int)>(StringComparer.Ordinal);
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            result[r.GetString(0)] = (r.GetInt32(1), r.GetInt32(2));
        }

        return result;
    }

    /// <summary>The receiver answered 2xx: the notification is done.</summary>
    public void MarkDelivered(long id)
    {
        using var c = Open();
        using var tx = c.BeginTransaction();
        using (var log = Cmd(c, """
            INSERT INTO delivered_log(endpoint, fingerprint, last_id)
            SELECT endpoint, fingerprint, notification_id FROM notification_alerts WHERE notification_id=$id
            ON CONFLICT(endpoint, fingerprint) DO UPDATE SET last_id=MAX(last_id, excluded.last_id)
            """))
        {
            log.Parameters.AddWithValue("$id", id);
            log.ExecuteNonQuery();
        }

        DeleteNotification(c, id);
        tx.Commit();
    }

    /// <summary>Records a failed attempt and when to try again.</summary>
    public void Reschedule(long id, DateTimeOffset nextAttemptAt, int attempts, string error)
    {
        using var c = Open();
        using var cmd = Cmd(c, "UPDATE notifications SET next_attempt_at=$n, attempts=$a, last_error=$e WHERE id=$id");
        cmd.Parameters.AddWithValue("$n", nextAttemptAt.ToUnixTimeMilliseconds());
        cmd.Parameters.AddWithValue("$a", attempts);
        cmd.Parameters.AddWithValue("$e", error);
        cmd.Parameters.AddWithValue("$id", id);
        cmd.ExecuteNonQuery();
    }

    /// <summary>Moves a notification to the dead letters (keeping its id and webhook-id, so a retry is the same notification).</summary>
    public void MoveToDeadLetter(long id, int attempts, string reason)
    {
        using var c = Open();
        using var tx = c.BeginTransaction();
        using (var cmd = Cmd(c, """
            INSERT OR REPLACE INTO dead_letters(id, webhook_id, endpoint, group_key, status, content_type, body, fingerprints, created_at, dead_at, attempts, reason)
            SELECT id, webhook_id, endpoint, group_key, status, content_type, body, fingerprints, created_at, $t, $a, $r FROM notifications WHERE id=$id
            """))
        {
            cmd.Parameters.AddWithValue("$t", Now());
            cmd.Parameters.AddWithValue("$a", attempts);
            cmd.Parameters.AddWithValue("$r", reason);
            cmd.Parameters.AddWithValue("$id", id);
            cmd.ExecuteNonQuery();
        }

        DeleteNotification(c, id);
        tx.Commit();
    }

    public IReadOnlyList<DeadLetter> GetDeadLetters(int limit = 1000)
    {
        using var c = Open();
        using var cmd = Cmd(c, """
            SELECT id, webhook_id, endpoint, group_key, status, created_at, dead_at, attempts, reason, fingerprints, length(body)
            FROM dead_letters ORDER BY id LIMIT $n
            """);
        cmd.Parameters.AddWithValue("$n", limit);
        var list = new List<DeadLetter>();
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            list.Add(new DeadLetter(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), Ms(r.GetInt64(5)), Ms(r.GetInt64(6)),
                r.GetInt32(7), r.GetString(8), JsonSerializer.Deserialize<string[]>(r.GetString(9)) ?? [], r.GetInt32(10)));
        }

        return list;
    }

    public long CountDeadLetters()
    {
        using var c = Open();
        using var cmd = Cmd(c, "SELECT COUNT(*) FROM dead_letters");
        return (long)cmd.ExecuteScalar()!;
    }

    /// <summary>
    /// Puts a dead letter back in the outbox with its original id and webhook-id, due now, with a fresh schedule.
    /// Refused when a later notification about the same alert already reached that endpoint (a stale firing must not follow its resolve).
    /// </summary>
    public DeadLetterRetryResult RetryDeadLetter(long id)
    {
        using var c = Open();
        using var tx = c.BeginTransaction();
        string endpoint;
        string[] fingerprints;
        using (var get = Cmd(c, "SELECT endpoint, fingerprints FROM dead_letters WHERE id=$id"))
        {
            get.Parameters.AddWithValue("$id", id);
            using var r = get.ExecuteReader();
            if (!r.Read())
            {
                return DeadLetterRetryResult.NotFound;
            }

            endpoint = r.GetString(0);
            fingerprints = JsonSerializer.Deserialize<string[]>(r.GetString(1)) ?? [];
        }

        foreach (var fp in fingerprints)
        {
            using var check = Cmd(c, "SELECT last_id FROM delivered_log WHERE endpoint=$e AND fingerprint=$f");
            check.Parameters.AddWithValue("$e", endpoint);
            check.Parameters.AddWithValue("$f", fp);
            if (check.ExecuteScalar() is long last && last > id)
            {
                return DeadLetterRetryResult.Superseded;
            }
        }

        using (var move = Cmd(c, """
            INSERT INTO notifications(id, webhook_id, endpoint, group_key, status, content_type, body, fingerprints, created_at, next_attempt_at, attempts, last_error)
            SELECT id, webhook_id, endpoint, group_key, status, content_type, body, fingerprints, created_at, $now, 0, 'retried from dead letters: ' || reason
            FROM dead_letters WHERE id=$id;
            DELETE FROM dead_letters WHERE id=$id;
            """))
        {
            move.Parameters.AddWithValue("$now", Now());
            move.Parameters.AddWithValue("$id", id);
            move.ExecuteNonQuery();
        }

        foreach (var fp in fingerprints)
        {
            InsertNotificationAlert(c, id, endpoint, fp);
        }

        tx.Commit();
        NotificationEnqueued?.Invoke();
        return DeadLetterRetryResult.Requeued;
    }

    // ---- endpoints ----

    /// <summary>Registers the configured endpoints; an endpoint whose URL changed since it was disabled is enabled again.</summary>
    public void SyncEndpoints(IEnumerable<(string Name, string Url)> endpoints)
    {
        using var c = Open();
        using var tx = c.BeginTransaction();
        foreach (var (name, url) in endpoints)
        {
            using var cmd = Cmd(c, """
                INSERT INTO endpoints(name, url) VALUES($n, $u)
                ON CONFLICT(name) DO UPDATE SET disabled_at = CASE WHEN url = $u THEN disabled_at ELSE NULL END,
                                                reason = CASE WHEN url = $u THEN reason ELSE NULL END, url = $u
                """);
            cmd.Parameters.AddWithValue("$n", name);
            cmd.Parameters.AddWithValue("$u", url);
            cmd.ExecuteNonQuery();
        }

        tx.Commit();
    }

    public IReadOnlyList<EndpointState> GetEndpoints()
    {
        using var c = Open();
        using var cmd = Cmd(c, "SELECT name, url, disabled_at, reason FROM endpoints ORDER BY name");
        var list = new List<EndpointState>();
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            list.Add(new EndpointState(r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : Ms(r.GetInt64(2)), r.IsDBNull(3) ? null : r.GetString(3)));
        }

        return list;
    }

    /// <summary>
    /// Disables an endpoint (after 410 Gone): nothing more is enqueued for it and its pending notifications move to the dead letters,
    /// from where they can be retried once it is enabled again. Returns how many were moved.
    /// </summary>
    public int DisableEndpoint(string name, string reason)
    {
        using var c = Open();
        using var tx = c.BeginTransaction();
        using (var cmd = Cmd(c, """
            INSERT INTO endpoints(name, url, disabled_at, reason) VALUES($n, '', $t, $r)
            ON CONFLICT(name) DO UPDATE SET disabled_at=$t, reason=$r
            """))
        {
            cmd.Parameters.AddWithValue("$n", name);
            cmd.Parameters.AddWithValue("$t", Now());
            cmd.Parameters.AddWithValue("$r", reason);
            cmd.ExecuteNonQuery();
        }

        int moved;
        using (var cmd = Cmd(c, """
            INSERT OR REPLACE INTO dead_letters(id, webhook_id, endpoint, group_key, status, content_type, body, fingerprints, created_at, dead_at, attempts, reason)
            SELECT id, webhook_id, endpoint, group_key, status, content_type, body, fingerprints, created_at, $t, attempts, 'endpoint disabled: ' || $r
            FROM notifications WHERE endpoint=$n;
            """))
        {
            cmd.Parameters.AddWithValue("$n", name);
            cmd.Parameters.AddWithValue("$t", Now());
            cmd.Parameters.AddWithValue("$r", reason);
            moved = cmd.ExecuteNonQuery();
        }

        using (var cmd = Cmd(c, "DELETE FROM notification_alerts WHERE endpoint=$n; DELETE FROM notifications WHERE endpoint=$n;"))
        {
            cmd.Parameters.AddWithValue("$n", name);
            cmd.ExecuteNonQuery();
        }

        tx.Commit();
        return moved;
    }

    public bool IsEndpointDisabled(string name)
    {
        using var c = Open();
        using var cmd = Cmd(c, "SELECT 1 FROM endpoints WHERE name=$n AND disabled_at IS NOT NULL");
        cmd.Parameters.AddWithValue("$n", name);
        return cmd.ExecuteScalar() is not null;
    }

    public bool EnableEndpoint(string name)
    {
        bool changed;
        using (var c = Open())
        {
            using var cmd = Cmd(c, "UPDATE endpoints SET disabled_at=NULL, reason=NULL WHERE name=$n AND disabled_at IS NOT NULL");
            cmd.Parameters.AddWithValue("$n", name);
            changed = cmd.ExecuteNonQuery() > 0;
        }

        if (changed)
        {
            NotificationEnqueued?.Invoke();
        }

        return changed;
    }

    // ---- helpers ----

    private long Insert(SqliteConnection c, NewNotification n, long? id)
    {
        var now = Now();
        using var cmd = Cmd(c, """
            INSERT INTO notifications(id, webhook_id, endpoint, group_key, status, content_type, body, fingerprints, created_at, next_attempt_at, attempts)
            VALUES($id, $w, $e, $g, $s, $ct, $b, $fps, $t, $t, 0);
            SELECT last_insert_rowid();
            """);
        cmd.Parameters.AddWithValue("$id", (object?)id ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$w", n.WebhookId ?? NewWebhookId());
        cmd.Parameters.AddWithValue("$e", n.Endpoint);
        cmd.Parameters.AddWithValue("$g", n.GroupKey);
        cmd.Parameters.AddWithValue("$s", n.Status);
        cmd.Parameters.AddWithValue("$ct", n.ContentType);
        cmd.Parameters.AddWithValue("$b", n.Body);
        cmd.Parameters.AddWithValue("$fps", JsonSerializer.Serialize(n.Fingerprints));
        cmd.Parameters.AddWithValue("$t", now);
        var rowId = (long)cmd.ExecuteScalar()!;
        foreach (var fp in n.Fingerprints.Distinct(StringComparer.Ordinal))
        {
            InsertNotificationAlert(c, rowId, n.Endpoint, fp);
        }

        return rowId;
    }

    private static void InsertNotificationAlert(SqliteConnection c, long id, string endpoint, string fingerprint)
    {
        using var cmd = Cmd(c, "INSERT OR IGNORE INTO notification_alerts(notification_id, endpoint, fingerprint) VALUES($id, $e, $f)");
        cmd.Parameters.AddWithValue("$id", id);
        cmd.Parameters.AddWithValue("$e", endpoint);
        cmd.Parameters.AddWithValue("$f", fingerprint);
        cmd.ExecuteNonQuery();
    }

    private static void DeleteNotification(SqliteConnection c, long id)
    {
        using var cmd = Cmd(c, "DELETE FROM notifications WHERE id=$id; DELETE FROM notification_alerts WHERE notification_id=$id;");
        cmd.Parameters.AddWithValue("$id", id);
        cmd.ExecuteNonQuery();
    }

    /// <summary>Standard Webhooks suggests a unique, sortable message id: <c>msg_</c> + a version-7 GUID.</summary>
    private string NewWebhookId() => "msg_" + Guid.CreateVersion7(_time.GetUtcNow()).ToString("N");

    private static List<OutboxNotification> ReadNotifications(SqliteCommand cmd)
    {
        var list = new List<OutboxNotification>();
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            list.Add(new OutboxNotification(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5),
                (byte[])r.GetValue(6), Ms(r.GetInt64(7)), Ms(r.GetInt64(8)), r.GetInt32(9), r.IsDBNull(10) ? null : r.GetString(10),
                JsonSerializer.Deserialize<string[]>(r.GetString(11)) ?? []));
        }

        return list;
    }

    private static TrackedAlert? GetAlert(SqliteConnection c, string fingerprint)
    {
        using var cmd = Cmd(c, "SELECT alert, acked_at, acked_by, ack_comment FROM alerts WHERE fingerprint=$f");
        cmd.Parameters.AddWithValue("$f", fingerprint);
        using var r = cmd.ExecuteReader();
        return r.Read() ? ReadTracked(r) : null;
    }

    private static TrackedAlert ReadTracked(SqliteDataReader r) =>
        new(AlertJson.Deserialize(r.GetString(0)), r.IsDBNull(1) ? null : Ms(r.GetInt64(1)), r.IsDBNull(2) ? null : r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3));

    private SqliteConnection Open()
    {
        var c = new SqliteConnection(_connectionString);
        c.Open();
        // FULL: a committed notification survives power loss, not just a killed process; alerts are rare, the fsync is affordable.
        Exec(c, "PRAGMA synchronous=FULL;");
        return c;
    }

    private static SqliteCommand Cmd(SqliteConnection c, string sql)
    {
        var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return cmd;
    }

    private static void Exec(SqliteConnection c, string sql)
    {
        using var cmd = Cmd(c, sql);
        cmd.ExecuteNonQuery();
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private static DateTimeOffset Ms(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
}
