using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace SmartCity.IoT.Alerts.Outbox;

/// <summary>The <c>dead_letters</c> table: notifications that will not be attempted again until an operator retries them.</summary>
internal sealed class DeadLetterStore(OutboxDatabase db)
{
    private const string Copied = "id, webhook_id, endpoint, group_key, status, content_type, body, fingerprints, created_at";

    /// <summary>Copies notification <paramref name="id"/> here, keeping its id and webhook-id (so a retry is the same notification).</summary>
    public static void CopyFromOutbox(SqliteConnection c, long id, long deadAt, int attempts, string reason) => OutboxDatabase.Execute(c, $"""
        INSERT OR REPLACE INTO dead_letters({Copied}, dead_at, attempts, reason)
        SELECT {Copied}, $t, $a, $r FROM notifications WHERE id=$id
        """, ("$t", deadAt), ("$a", attempts), ("$r", reason), ("$id", id));

    /// <summary>Copies every pending notification of <paramref name="endpoint"/> here. Returns how many.</summary>
    public static int CopyEndpointFromOutbox(SqliteConnection c, string endpoint, long deadAt, string reason) => OutboxDatabase.Execute(c, $"""
        INSERT OR REPLACE INTO dead_letters({Copied}, dead_at, attempts, reason)
        SELECT {Copied}, $t, attempts, 'endpoint disabled: ' || $r FROM notifications WHERE endpoint=$n
        """, ("$n", endpoint), ("$t", deadAt), ("$r", reason));

    /// <summary>Moves dead letter <paramref name="id"/> back to the notifications, due at <paramref name="now"/> with a fresh schedule.</summary>
    public static void MoveToOutbox(SqliteConnection c, long id, long now) => OutboxDatabase.Execute(c, $"""
        INSERT INTO notifications({Copied}, next_attempt_at, attempts, last_error)
        SELECT {Copied}, $now, 0, 'retried from dead letters: ' || reason FROM dead_letters WHERE id=$id;
        DELETE FROM dead_letters WHERE id=$id;
        """, ("$now", now), ("$id", id));

    /// <summary>The endpoint and alerts of dead letter <paramref name="id"/>, or null when there is none.</summary>
    public static (string Endpoint, string[] Fingerprints)? Find(SqliteConnection c, long id) => OutboxDatabase.Query(c,
        "SELECT endpoint, fingerprints FROM dead_letters WHERE id=$id",
        r => (r.GetString(0), JsonSerializer.Deserialize<string[]>(r.GetString(1)) ?? []),
        ("$id", id)) is [var found] ? found : null;

    /// <summary>Dead letters oldest first, without their bodies.</summary>
    public IReadOnlyList<DeadLetter> GetAll(int limit) => db.Run(c => OutboxDatabase.Query(c, """
        SELECT id, webhook_id, endpoint, group_key, status, created_at, dead_at, attempts, reason, fingerprints, length(body)
        FROM dead_letters ORDER BY id LIMIT $n
        """,
        r => new DeadLetter(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), OutboxDatabase.Ms(r.GetInt64(5)),
            OutboxDatabase.Ms(r.GetInt64(6)), r.GetInt32(7), r.GetString(8), JsonSerializer.Deserialize<string[]>(r.GetString(9)) ?? [], r.GetInt32(10)),
        ("$n", limit)));

    public long Count() => db.Run(c => (long)OutboxDatabase.Scalar(c, "SELECT COUNT(*) FROM dead_letters")!);
}
