using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace SmartCity.IoT.Alerts.Outbox;

/// <summary>The <c>notify_log</c> table: per (endpoint, group), what was last enqueued (grouping dedup across restarts).</summary>
internal sealed class NotifyLogStore(OutboxDatabase db)
{
    public NotifyLogEntry? Get(string endpoint, string groupKey) => db.Run(c => OutboxDatabase.Query(c,
        "SELECT firing, resolved, sent_at FROM notify_log WHERE endpoint=$e AND group_key=$g",
        r => new NotifyLogEntry(
            JsonSerializer.Deserialize<HashSet<string>>(r.GetString(0)) ?? [],
            JsonSerializer.Deserialize<HashSet<string>>(r.GetString(1)) ?? [],
            OutboxDatabase.Ms(r.GetInt64(2))),
        ("$e", endpoint), ("$g", groupKey)) is [var entry] ? entry : null);

    public static void Put(SqliteConnection c, string endpoint, string groupKey, NotifyLogEntry entry) => OutboxDatabase.Execute(c, """
        INSERT INTO notify_log(endpoint, group_key, firing, resolved, sent_at) VALUES($e,$g,$f,$r,$t)
        ON CONFLICT(endpoint, group_key) DO UPDATE SET firing=$f, resolved=$r, sent_at=$t
        """,
        ("$e", endpoint),
        ("$g", groupKey),
        ("$f", JsonSerializer.Serialize(entry.Firing)),
        ("$r", JsonSerializer.Serialize(entry.Resolved)),
        ("$t", entry.SentAt.ToUnixTimeMilliseconds()));

    /// <summary>Entries of groups with nothing firing are only needed until their resolve went out.</summary>
    public static int PruneResolved(SqliteConnection c, long olderThanMs) =>
        OutboxDatabase.Execute(c, "DELETE FROM notify_log WHERE firing='[]' AND sent_at < $t", ("$t", olderThanMs));
}
