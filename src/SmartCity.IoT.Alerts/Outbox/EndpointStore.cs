using Microsoft.Data.Sqlite;
using SmartCity.IoT.Core.Security;

namespace SmartCity.IoT.Alerts.Outbox;

/// <summary>The <c>endpoints</c> table: the endpoints the outbox knows and which are disabled (after a 410 Gone).</summary>
internal sealed class EndpointStore(OutboxDatabase db)
{
    /// <summary>
    /// Registers the configured endpoints with their redacted URLs; an endpoint whose URL changed since it was disabled is
    /// enabled again (told by the URL's fingerprint). Text stored before redaction existed (a row with the full URL, errors that
    /// quoted it) loses the URL's secret parts here.
    /// </summary>
    public void Sync(IEnumerable<(string Name, Uri Url)> endpoints)
    {
        var scrubbed = db.InTransaction(c =>
        {
            // Cells rewritten below are zeroed, not left in free space where the file would still hold the old text.
            OutboxDatabase.Execute(c, "PRAGMA secure_delete=ON;");
            var changed = 0;
            foreach (var (name, url) in endpoints)
            {
                var row = OutboxDatabase.Query(c, "SELECT url, url_hash FROM endpoints WHERE name=$n",
                    r => (Url: r.GetString(0), Hash: OutboxDatabase.NullableString(r, 1)), ("$n", name)).FirstOrDefault();
                // A row from before fingerprints holds the full URL itself.
                var same = row.Url is not null && (row.Hash is { } h ? UrlFingerprint.Matches(h, url) : row.Url == url.ToString());
                var hash = same && row.Hash is { } kept ? kept : UrlFingerprint.Compute(url);
                OutboxDatabase.Execute(c, """
                    INSERT INTO endpoints(name, url, url_hash) VALUES($n, $u, $h)
                    ON CONFLICT(name) DO UPDATE SET disabled_at = CASE WHEN $same THEN disabled_at ELSE NULL END,
                                                    reason = CASE WHEN $same THEN reason ELSE NULL END, url = $u, url_hash = $h
                    """, ("$n", name), ("$u", UrlRedactor.Redact(url)), ("$h", hash), ("$same", same ? 1 : 0));
                changed += Scrub(c, name, url);
            }

            OutboxDatabase.Execute(c, "PRAGMA secure_delete=OFF;");
            return changed;
        });
        if (scrubbed > 0)
        {
            // The old text may still sit in the write-ahead log; fold it into the file (secure_delete zeroed the old cells).
            db.Run(c => OutboxDatabase.Execute(c, "PRAGMA wal_checkpoint(TRUNCATE);"));
        }
    }

    /// <summary>Removes <paramref name="url"/>'s secret parts from the stored text about <paramref name="name"/>; returns the rows changed.</summary>
    private static int Scrub(SqliteConnection c, string name, Uri url)
    {
        var changed = 0;
        foreach (var part in UrlRedactor.SecretParts(url).Append(url.ToString()).OrderByDescending(p => p.Length))
        {
            foreach (var (table, key, column) in TextColumns)
            {
                changed += OutboxDatabase.Execute(c, $"UPDATE {table} SET {column}=replace({column}, $p, $m) WHERE {key}=$n AND instr({column}, $p) > 0",
                    ("$n", name), ("$p", part), ("$m", UrlRedactor.Mark));
            }
        }

        return changed;
    }

    /// <summary>Where an endpoint's errors and reasons are stored: table, the column naming the endpoint, the text column.</summary>
    private static readonly (string Table, string Key, string Column)[] TextColumns =
        [("notifications", "endpoint", "last_error"), ("dead_letters", "endpoint", "reason"), ("delivery_log", "endpoint", "detail"), ("endpoints", "name", "reason")];

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
