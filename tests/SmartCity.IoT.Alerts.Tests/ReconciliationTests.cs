using Microsoft.Extensions.Time.Testing;
using SmartCity.IoT.Alerts.Options;
using SmartCity.IoT.Core.Alerting;

namespace SmartCity.IoT.Alerts.Tests;

/// <summary>
/// After a crash the rule engine's state can be older than the outbox: it re-fires episodes receivers were already told about and
/// resolves them with starts of its own. Receivers must still see one firing and one resolve per episode; the outbox says which
/// alerts are firing so the engine can take them over (<see cref="IFiringAlertSource"/>).
/// </summary>
public sealed class ReconciliationTests
{
    private readonly FakeTimeProvider _time = new(TestAlerts.T0);

    private Harness Create(string outboxPath, string url) =>
        new([new WebhookEndpointOptions { Name = "ops", Url = url }], _time, o =>
        {
            o.GroupWait = TimeSpan.Zero;
            o.GroupInterval = TimeSpan.FromSeconds(10);
        }, outboxPath);

    [Fact]
    public async Task Firing_again_after_a_restart_is_not_delivered_twice_and_its_resolve_is_delivered_once()
    {
        await using var receiver = await Receiver.StartAsync(200);
        using var dir = new TempDir();
        var path = dir.Sub("alerts.db");
        var episode = TestAlerts.Firing(device: "a");
        await using (var h = Create(path, receiver.Url))
        {
            h.Publish(episode);
            Assert.Equal(1, await h.Dispatcher.DeliverDueAsync());
        }

        // "Restart": a new outbox and router over the same file; the engine, restored from an older checkpoint, fires the
        // episode again from redelivered readings, with a start of its own.
        _time.Advance(TimeSpan.FromSeconds(40));
        var refired = TestAlerts.Firing(device: "a", startsAt: _time.GetUtcNow(), value: 1300);
        await using (var h = Create(path, receiver.Url))
        {
            h.Router.Recover();
            h.Publish(refired);
            _time.Advance(TimeSpan.FromMinutes(1));
            h.Route();
            Assert.Equal(0, await h.Dispatcher.DeliverDueAsync());
            Assert.Equal(episode.StartsAt, h.Status.GetAlert(episode.Fingerprint)!.StartsAt);

            h.Publish(TestAlerts.Resolved(refired, _time.GetUtcNow()));
            _time.Advance(TimeSpan.FromSeconds(10));
            h.Route();
            Assert.Equal(1, await h.Dispatcher.DeliverDueAsync());
        }

        await using (var h = Create(path, receiver.Url)) // and nothing more after another restart
        {
            h.Router.Recover();
            _time.Advance(TimeSpan.FromMinutes(10));
            h.Route();
            Assert.Equal(0, await h.Dispatcher.DeliverDueAsync());
        }

        var requests = receiver.Requests.OrderBy(r => r.Call).ToList();
        Assert.Equal(2, requests.Select(r => r.WebhookId).Distinct().Count());
        Assert.Equal(["firing", "resolved"], requests.Select(r => r.Json.GetProperty("status").GetString()!).ToList());
        var resolved = requests[1].Json.GetProperty("alerts")[0];
        Assert.Equal(episode.Fingerprint, resolved.GetProperty("fingerprint").GetString());
        Assert.Equal(episode.StartsAt, resolved.GetProperty("startsAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task Refiring_and_resolving_within_group_wait_after_a_restart_still_delivers_the_resolve()
    {
        using var dir = new TempDir();
        var path = dir.Sub("alerts.db");
        var episode = TestAlerts.Firing(device: "a");
        await using (var h = Create(path, "http://127.0.0.1:9/hook"))
        {
            h.Publish(episode);
            Assert.Equal(1, h.Outbox.CountPending());
        }

        _time.Advance(TimeSpan.FromSeconds(40));
        await using (var h = Create(path, "http://127.0.0.1:9/hook"))
        {
            h.Router.Recover();
            // One more high reading and then a normal one, in one batch: "Alert Firing" again, then "Alert Resolved".
            var refired = TestAlerts.Firing(device: "a", startsAt: _time.GetUtcNow());
            h.Publisher.PublishMany([refired, TestAlerts.Resolved(refired, _time.GetUtcNow().AddSeconds(1))]);
            _time.Advance(TimeSpan.FromSeconds(10));
            h.Route();
            Assert.Equal(["firing", "resolved"], h.Outbox.GetPending().Select(n => n.Status).ToList());
        }
    }

    [Fact]
    public async Task Refiring_at_another_severity_after_a_restart_is_that_severity_change_not_a_second_firing()
    {
        using var dir = new TempDir();
        var path = dir.Sub("alerts.db");
        var episode = TestAlerts.Firing(device: "a");
        await using (var h = Create(path, "http://127.0.0.1:9/hook"))
        {
            h.Publish(episode, TestAlerts.Escalated(episode, AlertSeverity.Critical, episode.StartsAt.AddSeconds(5)));
        }

        _time.Advance(TimeSpan.FromSeconds(40));
        await using (var h = Create(path, "http://127.0.0.1:9/hook"))
        {
            h.Router.Recover();
            h.Publish(TestAlerts.Firing(device: "a", startsAt: _time.GetUtcNow())); // the engine forgot the escalation
            _time.Advance(TimeSpan.FromSeconds(10));
            h.Route();
            var last = System.Text.Json.JsonDocument.Parse(h.Outbox.GetPending()[^1].Body).RootElement.GetProperty("alerts")[0];
            Assert.Equal("deescalated", last.GetProperty("status").GetString());
            Assert.Equal("warning", last.GetProperty("severity").GetString());
            Assert.Equal(episode.StartsAt, last.GetProperty("startsAt").GetDateTimeOffset());
        }
    }

    [Fact]
    public async Task Firing_alerts_are_the_stored_ones_with_the_unrouted_inbox_applied_and_reading_changes_nothing()
    {
        using var dir = new TempDir();
        await using var h = Create(dir.Sub("alerts.db"), "http://127.0.0.1:9/hook");
        var source = new OutboxFiringAlertSource(h.Outbox);
        Assert.Empty(source.FiringAlerts());

        var a = TestAlerts.Firing(device: "a", value: 1200);
        var b = TestAlerts.Firing(device: "b");
        var gone = TestAlerts.Firing(device: "gone");
        h.Publish(a, b, gone, TestAlerts.Resolved(gone, _time.GetUtcNow()));
        _time.Advance(TimeSpan.FromMinutes(1));

        // Committed, not yet routed (the gateway was killed before the router took them):
        var c = TestAlerts.Firing(device: "c", startsAt: _time.GetUtcNow());
        h.Publisher.PublishMany([
            TestAlerts.Escalated(a, AlertSeverity.Critical, _time.GetUtcNow()) with { Value = 2500 },
            TestAlerts.Resolved(b, _time.GetUtcNow()),
            c,
            TestAlerts.Firing(device: "b", startsAt: _time.GetUtcNow().AddSeconds(1)), // a new episode of b
            TestAlerts.Firing(device: "a", startsAt: _time.GetUtcNow().AddSeconds(2), severity: AlertSeverity.Critical), // a re-fire of a's
        ]);

        var firing = source.FiringAlerts();
        Assert.Equal(["a", "c", "b"], firing.Select(f => f.DeviceId).ToList()); // oldest episode first
        var fa = firing[0];
        Assert.Equal(a.Fingerprint, fa.Fingerprint);
        Assert.Equal("co2-high", fa.RuleName);
        Assert.Equal("acme/ems-200", fa.ProfileId);
        Assert.Equal(AlertSeverity.Critical, fa.Severity);
        Assert.Equal(a.StartsAt, fa.Since);
        Assert.Equal("hq", fa.Labels["building"]);
        Assert.False(fa.Flapping);
        Assert.Equal(_time.GetUtcNow().AddSeconds(1), firing[2].Since);

        Assert.Equal(5, h.Router.ProcessInbox()); // the query took nothing from the inbox
        Assert.Equal(firing, source.FiringAlerts(), FiringAlertComparer.Instance); // and the router, applying it, agrees
    }

    [Fact]
    public async Task Firing_alerts_say_flapping()
    {
        using var dir = new TempDir();
        await using var h = Create(dir.Sub("alerts.db"), "http://127.0.0.1:9/hook");
        var a = TestAlerts.Firing();
        h.Publish(a, a with { Annotations = new Dictionary<string, string> { [AlertAnnotations.Flapping] = "flapping: 4 state changes within 1m" } });
        Assert.True(Assert.Single(new OutboxFiringAlertSource(h.Outbox).FiringAlerts()).Flapping);
    }

    [Fact]
    public async Task An_unreadable_outbox_is_an_error_naming_the_file_never_an_empty_answer()
    {
        using var dir = new TempDir();
        var path = dir.Sub("alerts.db");
        await using var h = Create(path, "http://127.0.0.1:9/hook");
        var source = new OutboxFiringAlertSource(h.Outbox);
        using (var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path}"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "DROP TABLE alerts";
            cmd.ExecuteNonQuery();
        }

        var ex = Assert.Throws<InvalidOperationException>(() => source.FiringAlerts());
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("no such table: alerts", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>Records compare their label dictionaries by reference; compare by content.</summary>
    private sealed class FiringAlertComparer : IEqualityComparer<FiringAlert>
    {
        public static readonly FiringAlertComparer Instance = new();

        public bool Equals(FiringAlert? x, FiringAlert? y) =>
            x is not null && y is not null && x with { Labels = y.Labels } == y && x.Labels.OrderBy(p => p.Key).SequenceEqual(y.Labels.OrderBy(p => p.Key));

        public int GetHashCode(FiringAlert obj) => obj.Fingerprint.GetHashCode(StringComparison.Ordinal);
    }
}
