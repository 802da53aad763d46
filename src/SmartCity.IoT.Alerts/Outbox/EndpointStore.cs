using Microsoft.Data.Sqlite;

namespace SmartCity.IoT.Alerts.Outbox;

/// <summary>The <c>endpoints</c> table: the endpoints the outbox knows and which are disabled (after a 410 Gone).</summary>
internal sealed class EndpointStore(OutboxDatabase db)
{
    /// <summary>Registers the configured endpoints; an endpoint whose URL changed since it was disabled is enabled again.</summary>
    public void Sync(IEnumerable<(string Name, string Url)> endpoints) => db.InTransaction(c =>
    {
        foreach (var (name, url) in endpoints)
        {
            OutboxDatabase.Execute(c, """
                INSERT INTO endpoints(name, url) VALUES($n, $u)
                ON CONFLICT(name) DO UPDATE SET disabled_at = CASE WHEN url = $u THEN disabled_at ELSE NULL END,
                                                reason = CASE WHEN url = $u THEN reason ELSE NULL END, url = $u
                """, ("$n", name), ("$u", url));
        }
    });

    public IReadOnlyList<EndpointState> GetAll() => db.Run(c => OutboxDatabase.Query(c, "SELECT name, url, disabled_at, reason FROM endpoints ORDER BY name",
        r => new EndpointState(r.GetString(0), r.GetString(1), OutboxDatabase.NullableMs(r, 2), OutboxDatabase.NullableString(r, 3))));

    public static void Disable(SqliteConnection c, string name, long at, string reason) => OutboxDatabase.Execute(c, """
        INSERT INTO endpoints(name, url, disabled_at, reason) VALUES($n, '', $t, $r)
        ON CONFLICT(name) DO UPDATE SET disabled_at=$t, reason=$r
        """, ("$n", name), ("$t", at), ("$r", reason));

    public bool IsDisabled(string name) =>
        db.Run(c => OutboxDatabase.Scalar(c, "SELECT 1 FROM endpoints WHERE name=$n AND disabled_at IS NOT NULL", ("$n", name)) is not null);

    /// <summary>False when the endpoint is unknown or not disabled.</summary>
    public bool Enable(string name) => db.Run(c =>
        OutboxDatabase.Execute(c, "UPDATE endpoints SET disabled_at=NULL, reason=NULL WHERE name=$n AND disabled_at IS NOT NULL", ("$n", name)) > 0);

    /// <summary>Pending notifications and dead letters per endpoint (for the status page; no bodies are read).</summary>
    public IReadOnlyDictionary<string, (int Pending, int DeadLetters)> CountByEndpoint() => db.Run(c => OutboxDatabase.Query(c, """
        SELECT endpoint, SUM(pending), SUM(dead) FROM (
            SELECT endpoint, 1 AS pending, 0 AS dead FROM notifications
            UNION ALL SELECT endpoint, 0, 1 FROM dead_letters)
        GROUP BY endpoint
        """, r => (Name: r.GetString(0), Counts: (r.GetInt32(1), r.GetInt32(2))))
        .ToDictionary(e => e.Name, e => e.Counts, StringComparer.Ordinal));
}
