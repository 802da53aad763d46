namespace SmartCity.IoT.Alerts.Outbox;

/// <summary>The acknowledgement columns of the <c>alerts</c> table, written by operators (API, possibly another process).</summary>
internal sealed class AcknowledgementStore(OutboxDatabase db)
{
    /// <summary>Acknowledges the alert's current episode; false if the fingerprint is unknown.</summary>
    public bool Acknowledge(string fingerprint, string by, string? comment) => db.Run(c =>
        OutboxDatabase.Execute(c, "UPDATE alerts SET acked_at=$t, acked_by=$b, ack_comment=$c WHERE fingerprint=$f",
            ("$t", db.Now()), ("$b", by), ("$c", comment), ("$f", fingerprint)) > 0);

    public bool Unacknowledge(string fingerprint) => db.Run(c =>
        OutboxDatabase.Execute(c, "UPDATE alerts SET acked_at=NULL, acked_by=NULL, ack_comment=NULL WHERE fingerprint=$f", ("$f", fingerprint)) > 0);
}
