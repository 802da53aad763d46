using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SmartCity.IoT.Alerts.Outbox;
using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Core.Telemetry;

namespace SmartCity.IoT.Alerts.Tests;

public sealed class PublisherTests
{
    [Fact]
    public void Publish_stores_before_returning()
    {
        using var dir = new TempDir();
        var outbox = new AlertOutbox(dir.Sub("alerts.db"));
        var publisher = new OutboxAlertPublisher(outbox, NullLogger<OutboxAlertPublisher>.Instance);
        var woke = 0;
        publisher.Published += () => woke++;
        publisher.Publish(TestAlerts.Firing());

        // A second, independent connection (as after a crash) sees the row.
        var (_, alert, _) = Assert.Single(new AlertOutbox(dir.Sub("alerts.db")).ReadInbox());
        Assert.Equal(TestAlerts.Firing(), alert!, new AlertComparer());
        Assert.Equal(1, woke);
    }

    [Fact]
    public void Publish_never_throws_and_logs_when_the_outbox_is_gone()
    {
        using var dir = new TempDir();
        var logger = new ListLogger();
        var publisher = PublisherWithoutOutbox(dir, logger);

        publisher.Publish(TestAlerts.Firing());

        var entry = Assert.Single(logger.Entries, e => e.Level == LogLevel.Error);
        Assert.Contains("could not be stored", entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Commit_throws_when_the_outbox_is_gone_so_the_pipeline_retries_and_holds_its_acknowledgements()
    {
        using var dir = new TempDir();
        var logger = new ListLogger();
        IAlertOutbox outbox = PublisherWithoutOutbox(dir, logger);

        var error = Assert.Throws<IOException>(() => outbox.Commit([TestAlerts.Firing()]));
        Assert.Contains("could not store 1 transition", error.Message, StringComparison.Ordinal);
        Assert.Single(logger.Entries, e => e.Level == LogLevel.Error);
    }

    [Fact]
    public void A_batch_is_stored_in_order_woken_once_and_each_transition_counted_once()
    {
        using var counts = new PublishedCounts();
        using var dir = new TempDir();
        var outbox = new AlertOutbox(dir.Sub("alerts.db"));
        var publisher = new OutboxAlertPublisher(outbox, NullLogger<OutboxAlertPublisher>.Instance);
        var woke = 0;
        publisher.Published += () => woke++;
        Alert[] batch = [Deescalated("a"), TestAlerts.Firing(device: "b"), Deescalated("c")];

        publisher.PublishMany(batch);
        Assert.Equal(1, woke);
        Assert.Equal(batch.Select(a => a.Fingerprint), outbox.ReadInbox().Select(r => r.Alert!.Fingerprint));
        Assert.Equal(2, counts.Get("stored", "deescalated"));

        publisher.Publish(Deescalated("d"));
        Assert.Equal(2, woke);
        Assert.Equal(4, outbox.ReadInbox().Count);
        Assert.Equal(3, counts.Get("stored", "deescalated"));
    }

    [Fact]
    public void A_failed_batch_is_logged_once_and_each_transition_counted_as_failed()
    {
        using var counts = new PublishedCounts();
        using var dir = new TempDir();
        var logger = new ListLogger();
        var publisher = PublisherWithoutOutbox(dir, logger);
        var woke = 0;
        publisher.Published += () => woke++;
        var a = TestAlerts.Firing(device: "a");

        publisher.PublishMany([TestAlerts.Resolved(a, TestAlerts.T0.AddMinutes(1)), TestAlerts.Resolved(a, TestAlerts.T0.AddMinutes(2))]);

        var entry = Assert.Single(logger.Entries, e => e.Level == LogLevel.Error);
        Assert.Contains("2 alert transition(s)", entry.Message, StringComparison.Ordinal);
        Assert.Equal(2, counts.Get("failed", "resolved"));
        Assert.Equal(0, woke);
    }

    /// <summary>A publisher whose outbox folder was deleted after it opened: every write fails.</summary>
    private static OutboxAlertPublisher PublisherWithoutOutbox(TempDir dir, ListLogger logger)
    {
        var path = dir.Sub("sub/alerts.db");
        var outbox = new AlertOutbox(path);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        return new OutboxAlertPublisher(outbox, new LoggerAdapter(logger));
    }

    private static Alert Deescalated(string device) =>
        TestAlerts.Firing(device: device, severity: AlertSeverity.Info) with { Status = AlertStatus.Deescalated };

    /// <summary>alerts.published by (outcome, status). Other tests publish in parallel; the combinations asserted are used by no other test.</summary>
    private sealed class PublishedCounts : IDisposable
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<(string?, string?), long> _counts = new();
        private readonly MeterListener _listener = new();

        public PublishedCounts()
        {
            _listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == GatewayMeter.Name && instrument.Name == "alerts.published")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                string? outcome = null, status = null;
                foreach (var t in tags)
                {
                    if (t.Key == "outcome") { outcome = t.Value as string; }
                    if (t.Key == "status") { status = t.Value as string; }
                }

                _counts.AddOrUpdate((outcome, status), value, (_, v) => v + value);
            });
            _listener.Start();
        }

        public long Get(string outcome, string status) => _counts.GetValueOrDefault((outcome, status));

        public void Dispose() => _listener.Dispose();
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
