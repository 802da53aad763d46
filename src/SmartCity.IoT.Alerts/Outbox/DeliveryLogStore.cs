using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace SmartCity.IoT.Alerts.Outbox;

/// <summary>The <c>delivery_log</c> table: what happened to each notification, kept after it left the outbox (pruned with resolved alerts).</summary>
internal sealed class DeliveryLogStore(OutboxDatabase db)
{
    private const string Columns = "notification_id, endpoint, webhook_id, status, fingerprints, outcome, attempt, detail, at";

    /// <summary>Records an event of the notification <paramref name="notificationId"/>, copying its identity from <c>notifications</c> or <c>dead_letters</c>.</summary>
    /// <param name="attempt">The attempt number; null: the row's attempts so far plus one (the attempt that just succeeded).</param>
    public static void Add(SqliteConnection c, long notificationId, string outcome, int? attempt, string? detail, long at) => OutboxDatabase.Execute(c, """
        INSERT INTO delivery_log(notification_id, endpoint, webhook_id, status, fingerprints, outcome, attempt, detail, at)
        SELECT id, endpoint, webhook_id, status, fingerprints, $o, COALESCE($a, attempts + 1), $d, $t FROM notifications WHERE id=$id
        UNION ALL
        SELECT id, endpoint, webhook_id, status, fingerprints, $o, COALESCE($a, attempts), $d, $t FROM dead_letters WHERE id=$id AND NOT EXISTS (SELECT 1 FROM notifications WHERE id=$id)
        """, ("$id", notificationId), ("$o", outcome), ("$a", attempt), ("$d", detail), ("$t", at));

    /// <summary>Records <paramref name="outcome"/> for every pending notification of <paramref name="endpoint"/>.</summary>
    public static void AddEndpoint(SqliteConnection c, string endpoint, string outcome, string detail, long at) => OutboxDatabase.Execute(c, """
        INSERT INTO delivery_log(notification_id, endpoint, webhook_id, status, fingerprints, outcome, attempt, detail, at)
        SELECT id, endpoint, webhook_id, status, fingerprints, $o, attempts, $d, $t FROM notifications WHERE endpoint=$e
        """, ("$e", endpoint), ("$o", outcome), ("$d", detail), ("$t", at));

    /// <summary>Events of notifications that carry <paramref name="fingerprint"/>, oldest first.</summary>
    public IReadOnlyList<DeliveryRecord> ForAlert(string fingerprint) => db.Run(c => OutboxDatabase.Query(c,
        $"SELECT {Columns} FROM delivery_log WHERE instr(fingerprints, $f) > 0 ORDER BY id", Read, ("$f", "\"" + fingerprint + "\"")));

    /// <summary>The endpoint's latest event with one of <paramref name="outcomes"/>, or null.</summary>
    public DeliveryRecord? Latest(string endpoint, params string[] outcomes) => db.Run(c => OutboxDatabase.Query(c,
        $"SELECT {Columns} FROM delivery_log WHERE endpoint=$e AND outcome IN (SELECT value FROM json_each($o)) ORDER BY id DESC LIMIT 1",
        Read, ("$e", endpoint), ("$o", JsonSerializer.Serialize(outcomes))) is [var r] ? r : null);

    public static int PruneOlderThan(SqliteConnection c, long olderThanMs) =>
        OutboxDatabase.Execute(c, "DELETE FROM delivery_log WHERE at < $t", ("$t", olderThanMs));

    private static DeliveryRecord Read(SqliteDataReader r) =>
        new(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), JsonSerializer.Deserialize<string[]>(r.GetString(4)) ?? [], r.GetString(5), r.GetInt32(6),
            OutboxDatabase.NullableString(r, 7), OutboxDatabase.Ms(r.GetInt64(8)));
}
