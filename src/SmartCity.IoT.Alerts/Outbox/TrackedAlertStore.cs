using Microsoft.Data.Sqlite;
using SmartCity.IoT.Core.Alerting;

namespace SmartCity.IoT.Alerts.Outbox;

/// <summary>The <c>alerts</c> table: the latest transition of each alert (by fingerprint), which the router groups and the status page shows.</summary>
internal sealed class TrackedAlertStore(OutboxDatabase db)
{
    private const string Columns = "alert, acked_at, acked_by, ack_comment";

    /// <summary>Firing first, then the most recently changed.</summary>
    public IReadOnlyList<TrackedAlert> GetAll() =>
        db.Run(c => OutboxDatabase.Query(c, $"SELECT {Columns} FROM alerts ORDER BY firing DESC, updated_at DESC", Read));

    public TrackedAlert? Get(string fingerprint) => db.Run(c => Get(c, fingerprint));

    /// <summary>The alerts still firing, on <paramref name="c"/> (and its transaction).</summary>
    public static List<Alert> GetFiring(SqliteConnection c) =>
        OutboxDatabase.Query(c, "SELECT alert FROM alerts WHERE firing=1", r => AlertJson.Deserialize(r.GetString(0)));

    /// <summary>Every stored alert, firing or resolved, on <paramref name="c"/> (and its transaction).</summary>
    public static List<Alert> GetAll(SqliteConnection c) =>
        OutboxDatabase.Query(c, "SELECT alert FROM alerts", r => AlertJson.Deserialize(r.GetString(0)));

    /// <summary>
    /// Stores a transition (see <see cref="ContinueEpisode"/>). A new episode (new StartsAt) or an escalation clears the acknowledgement;
    /// otherwise it is kept. Returns what was stored.
    /// </summary>
    public TrackedAlert Apply(SqliteConnection c, Alert alert)
    {
        var existing = Get(c, alert.Fingerprint);
        alert = ContinueEpisode(existing is { IsFiring: true } ? existing.Alert : null, alert);
        var keepAck = existing is { AcknowledgedAt: not null } && existing.Alert.StartsAt == alert.StartsAt && alert.Status != AlertStatus.Escalated;
        OutboxDatabase.Execute(c, """
            INSERT INTO alerts(fingerprint, alert, firing, starts_at, updated_at, acked_at, acked_by, ack_comment)
            VALUES($f, $a, $firing, $s, $u, $ackAt, $ackBy, $ackC)
            ON CONFLICT(fingerprint) DO UPDATE SET alert=$a, firing=$firing, starts_at=$s, updated_at=$u, acked_at=$ackAt, acked_by=$ackBy, ack_comment=$ackC
            """,
            ("$f", alert.Fingerprint),
            ("$a", AlertJson.Serialize(alert)),
            ("$firing", alert.Status == AlertStatus.Resolved ? 0 : 1),
            ("$s", alert.StartsAt.ToUnixTimeMilliseconds()),
            ("$u", db.Now()),
            ("$ackAt", keepAck ? existing!.AcknowledgedAt!.Value.ToUnixTimeMilliseconds() : null),
            ("$ackBy", keepAck ? existing!.AcknowledgedBy : null),
            ("$ackC", keepAck ? existing!.AcknowledgeComment : null));
        return keepAck ? existing! with { Alert = alert } : new TrackedAlert(alert, null, null, null);
    }

    /// <summary>
    /// <paramref name="alert"/> as a transition of the episode <paramref name="firing"/> (the stored alert, if it is firing): it keeps that
    /// episode's StartsAt, and a firing at another severity is the escalation or de-escalation it is. After a crash the engine's state can
    /// be older than the outbox (an older checkpoint, redelivered readings), and it fires again or resolves with a start of its own;
    /// receivers were told the stored one, so the firing is a repeat (de-duplicated) and the resolve ends what they were told. (A new
    /// episode while one still fires here also means its resolve never reached the outbox, so receivers still see the first one open.)
    /// </summary>
    public static Alert ContinueEpisode(Alert? firing, Alert alert)
    {
        if (firing is null)
        {
            return alert;
        }

        var status = alert.Status != AlertStatus.Firing || alert.Severity == firing.Severity ? alert.Status
            : alert.Severity > firing.Severity ? AlertStatus.Escalated : AlertStatus.Deescalated;
        return firing.StartsAt == alert.StartsAt && status == alert.Status ? alert : alert with { StartsAt = firing.StartsAt, Status = status };
    }

    /// <summary>Forgets resolved alerts whose last change is before <paramref name="olderThanMs"/>.</summary>
    public static int PruneResolved(SqliteConnection c, long olderThanMs) =>
        OutboxDatabase.Execute(c, "DELETE FROM alerts WHERE firing=0 AND updated_at < $t", ("$t", olderThanMs));

    private static TrackedAlert? Get(SqliteConnection c, string fingerprint) =>
        OutboxDatabase.Query(c, $"SELECT {Columns} FROM alerts WHERE fingerprint=$f", Read, ("$f", fingerprint)) is [var t] ? t : null;

    private static TrackedAlert Read(SqliteDataReader r) =>
        new(AlertJson.Deserialize(r.GetString(0)), OutboxDatabase.NullableMs(r, 1), OutboxDatabase.NullableString(r, 2), OutboxDatabase.NullableString(r, 3));
}
