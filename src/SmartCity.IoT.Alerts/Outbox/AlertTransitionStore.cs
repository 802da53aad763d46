using Microsoft.Data.Sqlite;
using SmartCity.IoT.Alerts.Formats;
using SmartCity.IoT.Core.Alerting;

namespace SmartCity.IoT.Alerts.Outbox;

/// <summary>The <c>alert_transitions</c> table: each alert's recent transitions, newest kept, for its timeline.</summary>
internal sealed class AlertTransitionStore(OutboxDatabase db)
{
    /// <summary>A flapping alert would otherwise grow its timeline without bound.</summary>
    public const int KeptPerAlert = 200;

    /// <summary>Appends <paramref name="alert"/>'s transition on <paramref name="c"/> (inside the inbox's transaction) and trims old ones.</summary>
    public static void Append(SqliteConnection c, Alert alert)
    {
        OutboxDatabase.Execute(c, """
            INSERT INTO alert_transitions(fingerprint, status, severity, value, value_text, at) VALUES($f, $s, $sev, $v, $vt, $t);
            DELETE FROM alert_transitions WHERE fingerprint=$f AND id <= (SELECT id FROM alert_transitions WHERE fingerprint=$f ORDER BY id DESC LIMIT 1 OFFSET $keep);
            """,
            ("$f", alert.Fingerprint),
            ("$s", NotificationFormatter.StatusName(alert.Status)),
            ("$sev", NotificationFormatter.SeverityName(alert.Severity)),
            ("$v", double.IsFinite(alert.Value) ? alert.Value : null),
            ("$vt", alert.ValueText),
            ("$t", alert.At.ToUnixTimeMilliseconds()),
            ("$keep", KeptPerAlert));
    }

    /// <summary>The alert's transitions, oldest first.</summary>
    public IReadOnlyList<AlertTransition> Get(string fingerprint) => db.Run(c => OutboxDatabase.Query(c,
        "SELECT status, severity, value, value_text, at FROM alert_transitions WHERE fingerprint=$f ORDER BY id",
        r => new AlertTransition(r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetDouble(2), OutboxDatabase.NullableString(r, 3), OutboxDatabase.Ms(r.GetInt64(4))),
        ("$f", fingerprint)));

    /// <summary>Forgets the transitions of alerts no longer in the <c>alerts</c> table.</summary>
    public static int PruneOrphans(SqliteConnection c) =>
        OutboxDatabase.Execute(c, "DELETE FROM alert_transitions WHERE fingerprint NOT IN (SELECT fingerprint FROM alerts)");
}
