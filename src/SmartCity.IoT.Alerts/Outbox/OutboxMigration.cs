namespace SmartCity.IoT.Alerts.Outbox;

/// <summary>One step of the outbox schema: the SQL that takes a file from <c>Version - 1</c> to <see cref="Version"/>.</summary>
internal sealed record OutboxMigration(int Version, string Description, string Sql);
