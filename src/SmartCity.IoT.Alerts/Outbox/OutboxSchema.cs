using Microsoft.Data.Sqlite;

namespace SmartCity.IoT.Alerts.Outbox;

/// <summary>
/// The outbox's tables, versioned with <c>PRAGMA user_version</c>: <see cref="Migrations"/> is applied in order from the file's version
/// to <see cref="CurrentVersion"/>, in one transaction. A file newer than this code is refused, never altered.
/// </summary>
internal static class OutboxSchema
{
    /// <summary>
    /// Never edit a released step: add the next one. Version 1 is the schema as it was before it had a version; its statements are
    /// all <c>IF NOT EXISTS</c>, so a file from then (user_version 0, tables present) is upgraded in place with its rows.
    /// </summary>
    public static IReadOnlyList<OutboxMigration> Migrations { get; } =
    [
        new(1, "inbox, alerts, silences, notification log, notifications, delivered log, dead letters, endpoints", """
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
            """),
        new(2, "alert transitions and delivery attempts, for the alert page's timeline", """
            CREATE TABLE alert_transitions(id INTEGER PRIMARY KEY AUTOINCREMENT, fingerprint TEXT NOT NULL, status TEXT NOT NULL, severity TEXT NOT NULL,
                value REAL, value_text TEXT, at INTEGER NOT NULL);
            CREATE INDEX ix_alert_transitions_fp ON alert_transitions(fingerprint, id);
            CREATE TABLE delivery_log(id INTEGER PRIMARY KEY AUTOINCREMENT, notification_id INTEGER NOT NULL, endpoint TEXT NOT NULL, webhook_id TEXT NOT NULL,
                status TEXT NOT NULL, fingerprints TEXT NOT NULL, outcome TEXT NOT NULL, attempt INTEGER NOT NULL, detail TEXT, at INTEGER NOT NULL);
            CREATE INDEX ix_delivery_log_endpoint ON delivery_log(endpoint, id);
            """),
        new(3, "endpoints keep a redacted URL and a salted hash of the full one", """
            ALTER TABLE endpoints ADD COLUMN url_hash TEXT;
            """),
    ];

    public static int CurrentVersion => Migrations[^1].Version;

    /// <summary>Brings the file open on <paramref name="c"/> to the latest version of <see cref="Migrations"/>.</summary>
    public static void Migrate(SqliteConnection c, string path) => Migrate(c, path, Migrations);

    /// <summary>
    /// Applies every step of <paramref name="migrations"/> (versions 1, 2, … in order) above the file's version, and records the last.
    /// The transaction takes the write lock first, so two processes opening one file at once migrate it one after the other.
    /// </summary>
    public static void Migrate(SqliteConnection c, string path, IReadOnlyList<OutboxMigration> migrations)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(migrations);
        for (var i = 0; i < migrations.Count; i++)
        {
            if (migrations[i].Version != i + 1)
            {
                throw new InvalidOperationException($"outbox migration {i} has version {migrations[i].Version}; versions must be 1, 2, 3, … in order");
            }
        }

        var target = migrations.Count;
        using var tx = c.BeginTransaction(deferred: false);
        var found = EnsureSupported(c, path, target);

        foreach (var m in migrations)
        {
            if (m.Version > found)
            {
                OutboxDatabase.Execute(c, m.Sql);
            }
        }

        if (found != target)
        {
            // PRAGMA takes no parameters; the value is an int from this code.
            OutboxDatabase.Execute(c, "PRAGMA user_version=" + target.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        tx.Commit();
    }

    /// <summary>The file's version; throws <see cref="OutboxSchemaException"/> when it is above <paramref name="supported"/>. Writes nothing.</summary>
    public static int EnsureSupported(SqliteConnection c, string path, int supported)
    {
        var found = ReadVersion(c);
        return found > supported ? throw new OutboxSchemaException(path, found, supported) : found;
    }

    /// <summary>
    /// Why the file at <paramref name="path"/> cannot be used, or null when it can (or does not exist yet: it will be created).
    /// Read-only, for checking the configuration before anything is started.
    /// </summary>
    public static string? Problem(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            return null;
        }

        try
        {
            using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = full, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            c.Open();
            var found = ReadVersion(c);
            return found > CurrentVersion ? new OutboxSchemaException(full, found, CurrentVersion).Message : null;
        }
        catch (SqliteException ex)
        {
            return $"The alert outbox {full} cannot be read as an SQLite database: {ex.Message}";
        }
    }

    private static int ReadVersion(SqliteConnection c) => Convert.ToInt32(OutboxDatabase.Scalar(c, "PRAGMA user_version;"), System.Globalization.CultureInfo.InvariantCulture);
}
