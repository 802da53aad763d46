using System.Text.Json;

namespace SmartCity.IoT.Alerts.Outbox;

/// <summary>The <c>silences</c> table. Expired silences are kept for the record, like Alertmanager's.</summary>
internal sealed class SilenceStore(OutboxDatabase db)
{
    public Silence Add(IReadOnlyList<string> matchers, DateTimeOffset startsAt, DateTimeOffset endsAt, string createdBy, string comment)
    {
        var now = db.Time.GetUtcNow();
        var s = new Silence(Guid.CreateVersion7(now).ToString("N"), matchers, startsAt, endsAt, createdBy, comment, now);
        db.Run(c => OutboxDatabase.Execute(c, "INSERT INTO silences(id, matchers, starts_at, ends_at, created_by, comment, created_at) VALUES($id,$m,$s,$e,$b,$c,$t)",
            ("$id", s.Id),
            ("$m", JsonSerializer.Serialize(matchers)),
            ("$s", s.StartsAt.ToUnixTimeMilliseconds()),
            ("$e", s.EndsAt.ToUnixTimeMilliseconds()),
            ("$b", createdBy),
            ("$c", comment),
            ("$t", s.CreatedAt.ToUnixTimeMilliseconds())));
        return s;
    }

    /// <summary>Every silence, latest end first.</summary>
    public IReadOnlyList<Silence> GetAll() => db.Run(c => OutboxDatabase.Query(c,
        "SELECT id, matchers, starts_at, ends_at, created_by, comment, created_at FROM silences ORDER BY ends_at DESC",
        r => new Silence(r.GetString(0), JsonSerializer.Deserialize<string[]>(r.GetString(1)) ?? [], OutboxDatabase.Ms(r.GetInt64(2)),
            OutboxDatabase.Ms(r.GetInt64(3)), r.GetString(4), r.GetString(5), OutboxDatabase.Ms(r.GetInt64(6)))));

    /// <summary>Ends a silence now. False if unknown or already over.</summary>
    public bool Expire(string id) => db.Run(c =>
        OutboxDatabase.Execute(c, "UPDATE silences SET ends_at=$t WHERE id=$id AND ends_at > $t", ("$t", db.Now()), ("$id", id)) > 0);
}
