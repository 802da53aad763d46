using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SmartCity.IoT.Alerts.Outbox;
using SmartCity.IoT.Core.Alerting;

namespace SmartCity.IoT.Alerts.Tests;

public sealed class OutboxSchemaTests
{
    /// <summary>The schema as the outbox created it before it had a version (user_version stays 0). Kept verbatim: it stands for files in the field.</summary>
    private const string UnversionedDdl = """
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
        """;

    [Fact]
    public void A_new_file_gets_the_current_version()
    {
        using var dir = new TempDir();
        var path = dir.Sub("alerts.db");
        _ = new AlertOutbox(path);

        Assert.Equal(OutboxSchema.CurrentVersion, UserVersion(path));
        Assert.Equal(3, OutboxSchema.CurrentVersion);
    }

    [Fact]
    public void A_file_from_before_the_schema_had_a_version_is_upgraded_in_place_with_its_rows()
    {
        using var dir = new TempDir();
        var path = dir.Sub("alerts.db");
        var firing = TestAlerts.Firing();
        var other = TestAlerts.Firing(device: "ems-0007");
        var t = TestAlerts.T0.ToUnixTimeMilliseconds();
        using (var c = Connect(path))
        {
            Exec(c, UnversionedDdl);
            Exec(c, "INSERT INTO inbox(alert, received_at) VALUES($a, $t)", ("$a", AlertJson.Serialize(other)), ("$t", t));
            Exec(c, "INSERT INTO alerts VALUES($f, $a, 1, $t, $t, $t, 'ana', 'on it')", ("$f", firing.Fingerprint), ("$a", AlertJson.Serialize(firing)), ("$t", t));
            Exec(c, "INSERT INTO silences VALUES('s1', '[\"building=\\\"hq\\\"\"]', $t, $e, 'ana', 'works', $t)", ("$t", t), ("$e", t + 3_600_000));
            Exec(c, "INSERT INTO notify_log VALUES('ops', 'g1', '[\"k1\"]', '[]', $t)", ("$t", t));
            Exec(c, "INSERT INTO notifications VALUES(7, 'msg_7', 'ops', 'g1', 'firing', 'application/json', X'7B7D', $fps, $t, $t, 2, 'HTTP 500')",
                ("$fps", $"[\"{firing.Fingerprint}\"]"), ("$t", t));
            Exec(c, "INSERT INTO notification_alerts VALUES(7, 'ops', $f)", ("$f", firing.Fingerprint));
            Exec(c, "INSERT INTO delivered_log VALUES('ops', $f, 3)", ("$f", firing.Fingerprint));
            Exec(c, "INSERT INTO dead_letters VALUES(5, 'msg_5', 'ops', 'g1', 'firing', 'application/json', X'7B7D', $fps, $t, $t, 10, 'gave up')",
                ("$fps", $"[\"{firing.Fingerprint}\"]"), ("$t", t));
            Exec(c, "INSERT INTO endpoints VALUES('ops', 'http://x/hook', $t, 'HTTP 410 Gone')", ("$t", t));
        }

        SqliteConnection.ClearAllPools();
        Assert.Equal(0, UserVersion(path));

        var outbox = new AlertOutbox(path);

        Assert.Equal(OutboxSchema.CurrentVersion, UserVersion(path));
        var (_, inboxed, _) = Assert.Single(outbox.ReadInbox());
        Assert.Equal(other.Fingerprint, inboxed!.Fingerprint);
        var tracked = Assert.Single(outbox.GetAlerts());
        Assert.Equal(firing.Fingerprint, tracked.Alert.Fingerprint);
        Assert.Equal("ana", tracked.AcknowledgedBy);
        Assert.Equal("on it", tracked.AcknowledgeComment);
        Assert.Equal(["building=\"hq\""], Assert.Single(outbox.GetSilences()).Matchers);
        Assert.Equal(["k1"], outbox.GetNotifyLog("ops", "g1")!.Firing);
        var pending = Assert.Single(outbox.GetPending());
        Assert.Equal((7L, "msg_7", 2, "HTTP 500"), (pending.Id, pending.WebhookId, pending.Attempts, pending.LastError));
        Assert.Equal("{}"u8.ToArray(), pending.Body);
        var dead = Assert.Single(outbox.GetDeadLetters());
        Assert.Equal((5L, "msg_5", "gave up"), (dead.Id, dead.WebhookId, dead.Reason));
        Assert.True(outbox.IsEndpointDisabled("ops"));

        // The upgraded file keeps working: ids continue after the old rows, and the delivered log still guards retries.
        var id = outbox.Enqueue(new NewNotification("ops", "g2", "firing", "application/json", [1], [other.Fingerprint]));
        Assert.True(id > 7, $"new id {id}");
        Assert.Equal(DeadLetterRetryResult.Requeued, outbox.RetryDeadLetter(5));
    }

    [Fact]
    public void Migrations_above_the_files_version_run_in_order_and_keep_the_rows()
    {
        using var dir = new TempDir();
        var path = dir.Sub("alerts.db");
        var outbox = new AlertOutbox(path);
        outbox.AppendInbox([TestAlerts.Firing()]);
        var next = OutboxSchema.CurrentVersion + 1;
        var v2 = new OutboxMigration(next, "test: a column", "ALTER TABLE inbox ADD COLUMN source TEXT NOT NULL DEFAULT 'mqtt';");
        var v3 = new OutboxMigration(next + 1, "test: uses the column of the one before", "UPDATE inbox SET source = source || '+v3';");

        using (var c = Connect(path))
        {
            OutboxSchema.Migrate(c, path, [.. OutboxSchema.Migrations, v2, v3]);
            Assert.Equal(next + 1, UserVersion(c));
            Assert.Equal("mqtt+v3", Scalar(c, "SELECT source FROM inbox"));

            // Already at 3: nothing runs again.
            OutboxSchema.Migrate(c, path, [.. OutboxSchema.Migrations, v2, v3]);
            Assert.Equal("mqtt+v3", Scalar(c, "SELECT source FROM inbox"));
        }
    }

    [Fact]
    public void Migrations_must_be_numbered_in_order()
    {
        using var dir = new TempDir();
        var path = dir.Sub("alerts.db");
        using var c = Connect(path);
        var ex = Assert.Throws<InvalidOperationException>(() => OutboxSchema.Migrate(c, path, [new OutboxMigration(2, "skips 1", "SELECT 1;")]));
        Assert.Contains("versions must be 1, 2, 3", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_from_a_newer_version_is_refused_naming_the_file_and_both_versions_and_left_unchanged()
    {
        using var dir = new TempDir();
        var path = NewerFile(dir);

        var ex = Assert.Throws<OutboxSchemaException>(() => new AlertOutbox(path));

        var expected = $"The alert outbox {Path.GetFullPath(path)} has schema version {OutboxSchema.CurrentVersion + 1}, but this version of SmartCity.IoT understands versions up to {OutboxSchema.CurrentVersion}";
        Assert.StartsWith(expected, ex.Message, StringComparison.Ordinal);
        Assert.Equal(OutboxSchema.CurrentVersion + 1, UserVersion(path));
        using var c = Connect(path);
        Assert.Equal(0L, Scalar(c, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'inbox'"));
        Assert.Equal("delete", Scalar(c, "PRAGMA journal_mode"));
        Assert.Equal(expected + ": the file was written by a newer release. Run that release, or set Alerts:OutboxPath to another file (this file was left unchanged).",
            OutboxSchema.Problem(path));
    }

    [Fact]
    public async Task A_host_with_a_newer_outbox_does_not_start_and_says_why()
    {
        using var dir = new TempDir();
        var path = NewerFile(dir);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Alerts:OutboxPath"] = path,
            ["Webhooks:0:Name"] = "ops",
            ["Webhooks:0:Url"] = "http://127.0.0.1:9/hook",
        });
        builder.Services.AddAlertDelivery(builder.Configuration);
        using var host = builder.Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(ex.Failures, f => f.StartsWith($"Alerts:OutboxPath: The alert outbox {Path.GetFullPath(path)} has schema version {OutboxSchema.CurrentVersion + 1}", StringComparison.Ordinal));
    }

    [Fact]
    public void The_dead_letter_commands_refuse_a_newer_outbox_with_the_message()
    {
        using var dir = new TempDir();
        var path = NewerFile(dir);
        using var list = new StringWriter();
        using var retry = new StringWriter();

        Assert.Equal(1, AlertCommands.DeadLetterList(path, list));
        Assert.Equal(1, AlertCommands.DeadLetterRetry(path, "all", retry));

        Assert.Equal(OutboxSchema.Problem(path) + Environment.NewLine, list.ToString());
        Assert.Equal(OutboxSchema.Problem(path) + Environment.NewLine, retry.ToString());
        Assert.Contains($"schema version {OutboxSchema.CurrentVersion + 1}", list.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_a_database_is_named_in_the_configuration_error()
    {
        using var dir = new TempDir();
        var path = dir.Sub("alerts.db");
        File.WriteAllText(path, "this is a text file, not an outbox, and it is long enough to have a header of a hundred bytes............................");

        var result = new Options.AlertsOptionsValidator().Validate(null, new Options.AlertsOptions { OutboxPath = path });

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith($"Alerts:OutboxPath: The alert outbox {path} cannot be read as an SQLite database", StringComparison.Ordinal));
    }

    private static string NewerFile(TempDir dir)
    {
        var path = dir.Sub("alerts.db");
        using (var c = Connect(path))
        {
            Exec(c, $"PRAGMA user_version={OutboxSchema.CurrentVersion + 1};");
        }

        SqliteConnection.ClearAllPools();
        return path;
    }

    private static SqliteConnection Connect(string path)
    {
        var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        c.Open();
        return c;
    }

    private static long UserVersion(string path)
    {
        using var c = Connect(path);
        return UserVersion(c);
    }

    private static long UserVersion(SqliteConnection c) => (long)Scalar(c, "PRAGMA user_version")!;

    private static object? Scalar(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }

    private static void Exec(SqliteConnection c, string sql, params (string Name, object Value)[] parameters)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value);
        }

        cmd.ExecuteNonQuery();
    }
}
