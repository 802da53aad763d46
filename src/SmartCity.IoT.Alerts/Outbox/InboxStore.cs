using System.Text.Json;
using Microsoft.Data.Sqlite;
using SmartCity.IoT.Core.Alerting;

namespace SmartCity.IoT.Alerts.Outbox;

/// <summary>The <c>inbox</c> table: published transitions written ahead, in order, until the router takes them.</summary>
internal sealed class InboxStore(OutboxDatabase db)
{
    /// <summary>Appends the alerts in one transaction: one commit (and fsync) for the lot, in order.</summary>
    public void Append(IReadOnlyList<Alert> alerts)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        db.InTransaction(c =>
        {
            using var cmd = OutboxDatabase.Command(c, "INSERT INTO inbox(alert, received_at) VALUES($a, $t);");
            var a = cmd.Parameters.Add("$a", SqliteType.Text);
            var t = cmd.Parameters.Add("$t", SqliteType.Integer);
            foreach (var alert in alerts)
            {
                a.Value = AlertJson.Serialize(alert);
                t.Value = db.Now();
                cmd.ExecuteNonQuery();
            }
        });
    }

    /// <summary>Unprocessed alerts in publish order. A row that cannot be read comes with a null alert and its error, so it can be dropped loudly.</summary>
    public List<(long Id, Alert? Alert, string? Error)> Read(int limit) => db.Run(c =>
        OutboxDatabase.Query(c, "SELECT id, alert FROM inbox ORDER BY id LIMIT $n", ReadRow, ("$n", limit)));

    /// <summary>Every unprocessed alert in publish order, on <paramref name="c"/> (and its transaction); unreadable rows are left to the router.</summary>
    public static List<Alert> ReadAll(SqliteConnection c) =>
        OutboxDatabase.Query(c, "SELECT id, alert FROM inbox ORDER BY id", ReadRow).Where(r => r.Alert is not null).Select(r => r.Alert!).ToList();

    public static void Delete(SqliteConnection c, long id) => OutboxDatabase.Execute(c, "DELETE FROM inbox WHERE id=$id", ("$id", id));

    private static (long Id, Alert? Alert, string? Error) ReadRow(SqliteDataReader r)
    {
        try
        {
            return (r.GetInt64(0), AlertJson.Deserialize(r.GetString(1)), null);
        }
        catch (JsonException ex)
        {
            return (r.GetInt64(0), null, ex.Message);
        }
    }
}
