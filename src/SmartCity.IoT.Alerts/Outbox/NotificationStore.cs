using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace SmartCity.IoT.Alerts.Outbox;

/// <summary>
/// The outbox proper: <c>notifications</c> waiting for a 2xx with their attempt schedule, <c>notification_alerts</c> (which alerts each
/// one carries, so a resolve never overtakes its firing) and <c>delivered_log</c> (the last notification per alert each endpoint got).
/// </summary>
internal sealed class NotificationStore(OutboxDatabase db)
{
    private const string Columns = "n.id, n.webhook_id, n.endpoint, n.group_key, n.status, n.content_type, n.body, n.created_at, n.next_attempt_at, n.attempts, n.last_error, n.fingerprints";

    /// <summary>Stores a notification for its first attempt now. Returns its row id.</summary>
    public long Insert(SqliteConnection c, NewNotification n)
    {
        var now = db.Now();
        var id = (long)OutboxDatabase.Scalar(c, """
            INSERT INTO notifications(webhook_id, endpoint, group_key, status, content_type, body, fingerprints, created_at, next_attempt_at, attempts)
            VALUES($w, $e, $g, $s, $ct, $b, $fps, $t, $t, 0);
            SELECT last_insert_rowid();
            """,
            ("$w", n.WebhookId ?? NewWebhookId()),
            ("$e", n.Endpoint),
            ("$g", n.GroupKey),
            ("$s", n.Status),
            ("$ct", n.ContentType),
            ("$b", n.Body),
            ("$fps", JsonSerializer.Serialize(n.Fingerprints)),
            ("$t", now))!;
        foreach (var fp in n.Fingerprints.Distinct(StringComparer.Ordinal))
        {
            LinkAlert(c, id, n.Endpoint, fp);
        }

        DeliveryLogStore.Add(c, id, DeliveryRecord.Queued, 0, null, now);
        return id;
    }

    /// <summary>Records that notification <paramref name="id"/> carries the alert <paramref name="fingerprint"/>.</summary>
    public static void LinkAlert(SqliteConnection c, long id, string endpoint, string fingerprint) =>
        OutboxDatabase.Execute(c, "INSERT OR IGNORE INTO notification_alerts(notification_id, endpoint, fingerprint) VALUES($id, $e, $f)",
            ("$id", id), ("$e", endpoint), ("$f", fingerprint));

    public static void Delete(SqliteConnection c, long id) =>
        OutboxDatabase.Execute(c, "DELETE FROM notifications WHERE id=$id; DELETE FROM notification_alerts WHERE notification_id=$id;", ("$id", id));

    public static void DeleteEndpoint(SqliteConnection c, string endpoint) =>
        OutboxDatabase.Execute(c, "DELETE FROM notification_alerts WHERE endpoint=$n; DELETE FROM notifications WHERE endpoint=$n;", ("$n", endpoint));

    /// <summary>
    /// Notifications whose next attempt is due, oldest first, skipping disabled endpoints and any notification that shares an alert
    /// with an older pending one for the same endpoint (so a resolve never overtakes its firing).
    /// </summary>
    public IReadOnlyList<OutboxNotification> GetDue(DateTimeOffset now, string? endpoint, int limit) => db.Run(c => OutboxDatabase.Query(c, $"""
        SELECT {Columns}
        FROM notifications n
        WHERE n.next_attempt_at <= $now
          AND ($e IS NULL OR n.endpoint = $e)
          AND n.endpoint NOT IN (SELECT name FROM endpoints WHERE disabled_at IS NOT NULL)
          AND NOT EXISTS (SELECT 1 FROM notification_alerts a
                          JOIN notification_alerts b ON b.endpoint = a.endpoint AND b.fingerprint = a.fingerprint AND b.notification_id < a.notification_id
                          WHERE a.notification_id = n.id)
        ORDER BY n.id LIMIT $n
        """, Read, ("$now", now.ToUnixTimeMilliseconds()), ("$e", endpoint), ("$n", limit)));

    public IReadOnlyList<OutboxNotification> GetPending(int limit) =>
        db.Run(c => OutboxDatabase.Query(c, $"SELECT {Columns} FROM notifications n ORDER BY n.id LIMIT $n", Read, ("$n", limit)));

    /// <summary>The earliest next-attempt time of any pending notification of an enabled endpoint, or null.</summary>
    public DateTimeOffset? GetNextAttemptAt(string? endpoint) => db.Run(c => OutboxDatabase.Scalar(c,
        "SELECT MIN(next_attempt_at) FROM notifications WHERE ($e IS NULL OR endpoint = $e) AND endpoint NOT IN (SELECT name FROM endpoints WHERE disabled_at IS NOT NULL)",
        ("$e", endpoint)) is long ms ? OutboxDatabase.Ms(ms) : (DateTimeOffset?)null);

    public long Count() => db.Run(c => (long)OutboxDatabase.Scalar(c, "SELECT COUNT(*) FROM notifications")!);

    /// <summary>The receiver answered 2xx: the notification is done, and each of its alerts was last delivered by it.</summary>
    public void MarkDelivered(long id) => db.InTransaction(c =>
    {
        OutboxDatabase.Execute(c, """
            INSERT INTO delivered_log(endpoint, fingerprint, last_id)
            SELECT endpoint, fingerprint, notification_id FROM notification_alerts WHERE notification_id=$id
            ON CONFLICT(endpoint, fingerprint) DO UPDATE SET last_id=MAX(last_id, excluded.last_id)
            """, ("$id", id));
        DeliveryLogStore.Add(c, id, DeliveryRecord.Delivered, null, null, db.Now());
        Delete(c, id);
    });

    /// <summary>The id of the latest notification about <paramref name="fingerprint"/> that <paramref name="endpoint"/> acknowledged, or null.</summary>
    public static long? LastDelivered(SqliteConnection c, string endpoint, string fingerprint) =>
        OutboxDatabase.Scalar(c, "SELECT last_id FROM delivered_log WHERE endpoint=$e AND fingerprint=$f", ("$e", endpoint), ("$f", fingerprint)) as long?;

    /// <summary>Records a failed attempt and when to try again.</summary>
    public void Reschedule(long id, DateTimeOffset nextAttemptAt, int attempts, string error) => db.InTransaction(c =>
    {
        OutboxDatabase.Execute(c, "UPDATE notifications SET next_attempt_at=$n, attempts=$a, last_error=$e WHERE id=$id",
            ("$n", nextAttemptAt.ToUnixTimeMilliseconds()), ("$a", attempts), ("$e", error), ("$id", id));
        DeliveryLogStore.Add(c, id, DeliveryRecord.Failed, attempts, error, db.Now());
    });

    /// <summary>Standard Webhooks suggests a unique, sortable message id: <c>msg_</c> + a version-7 GUID.</summary>
    private string NewWebhookId() => "msg_" + Guid.CreateVersion7(db.Time.GetUtcNow()).ToString("N");

    private static OutboxNotification Read(SqliteDataReader r) =>
        new(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), (byte[])r.GetValue(6),
            OutboxDatabase.Ms(r.GetInt64(7)), OutboxDatabase.Ms(r.GetInt64(8)), r.GetInt32(9), OutboxDatabase.NullableString(r, 10),
            JsonSerializer.Deserialize<string[]>(r.GetString(11)) ?? []);
}
