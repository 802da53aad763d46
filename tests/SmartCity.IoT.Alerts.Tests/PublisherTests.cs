using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SmartCity.IoT.Alerts.Outbox;

namespace SmartCity.IoT.Alerts.Tests;

public sealed class PublisherTests
{
    [Fact]
    public void Publish_stores_before_returning()
    {
        using var dir = new TempDir();
        var outbox = new AlertOutbox(dir.File("alerts.db"));
        var publisher = new OutboxAlertPublisher(outbox, NullLogger<OutboxAlertPublisher>.Instance);
        var woke = 0;
        publisher.Published += () => woke++;
        publisher.Publish(TestAlerts.Firing());

        // A second, independent connection (as after a crash) sees the row.
        var (_, alert, _) = Assert.Single(new AlertOutbox(dir.File("alerts.db")).ReadInbox());
        Assert.Equal(TestAlerts.Firing(), alert!, new AlertComparer());
        Assert.Equal(1, woke);
    }

    [Fact]
    public void Publish_never_throws_and_logs_when_the_outbox_is_gone()
    {
        using var dir = new TempDir();
        var path = dir.File("sub/alerts.db");
        var outbox = new AlertOutbox(path);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        var logger = new ListLogger();
        var publisher = new OutboxAlertPublisher(outbox, new LoggerAdapter(logger));

        publisher.Publish(TestAlerts.Firing());

        var entry = Assert.Single(logger.Entries, e => e.Level == LogLevel.Error);
        Assert.Contains("could not be stored", entry.Message, StringComparison.Ordinal);
    }

    private sealed class LoggerAdapter(ILogger inner) : ILogger<OutboxAlertPublisher>
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            inner.Log(logLevel, eventId, state, exception, formatter);
    }

    /// <summary>Alert is a record, but its dictionaries compare by reference; compare what matters.</summary>
    private sealed class AlertComparer : IEqualityComparer<Core.Alerting.Alert>
    {
        public bool Equals(Core.Alerting.Alert? x, Core.Alerting.Alert? y) =>
            x is not null && y is not null && x.Fingerprint == y.Fingerprint && x.Status == y.Status && x.Severity == y.Severity &&
            x.Value.Equals(y.Value) && x.StartsAt == y.StartsAt && x.At == y.At && x.EndsAt == y.EndsAt &&
            x.Labels.OrderBy(p => p.Key).SequenceEqual(y.Labels.OrderBy(p => p.Key)) &&
            x.Annotations.OrderBy(p => p.Key).SequenceEqual(y.Annotations.OrderBy(p => p.Key));

        public int GetHashCode(Core.Alerting.Alert obj) => obj.Fingerprint.GetHashCode(StringComparison.Ordinal);
    }
}
