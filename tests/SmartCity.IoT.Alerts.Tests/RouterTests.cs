using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using SmartCity.IoT.Alerts.Options;
using SmartCity.IoT.Alerts.Outbox;
using SmartCity.IoT.Core.Alerting;

namespace SmartCity.IoT.Alerts.Tests;

/// <summary>Grouping, inhibition, silences, acknowledgement and restart recovery on a fake clock (nothing sleeps).</summary>
public sealed class RouterTests
{
    private readonly FakeTimeProvider _time = new(TestAlerts.T0);

    private Harness Create(WebhookEndpointOptions? endpoint = null, Action<AlertsOptions>? configure = null, string? outboxPath = null) =>
        new([endpoint ?? new WebhookEndpointOptions { Name = "ops", Url = "http://127.0.0.1:9/hook", GroupBy = ["building"] }], _time, o =>
        {
            o.GroupWait = TimeSpan.FromSeconds(30);
            o.GroupInterval = TimeSpan.FromMinutes(5);
            o.RepeatInterval = TimeSpan.FromHours(4);
            configure?.Invoke(o);
        }, outboxPath);

    private static List<JsonElement> Bodies(Harness h) =>
        h.Outbox.GetPending().Select(n => JsonDocument.Parse(n.Body).RootElement).ToList();

    private static List<string> Devices(JsonElement body) =>
        body.GetProperty("alerts").EnumerateArray().Select(a => a.GetProperty("device").GetString()!).ToList();

    [Fact]
    public async Task Group_wait_collects_alerts_of_one_group_into_one_notification()
    {
        await using var h = Create();
        h.Publish(TestAlerts.Firing(device: "a"));
        _time.Advance(TimeSpan.FromSeconds(10));
        h.Publish(TestAlerts.Firing(device: "b"), TestAlerts.Firing(device: "x", building: "annex"));
        Assert.Equal(0, h.Outbox.CountPending());

        _time.Advance(TimeSpan.FromSeconds(19));
        Assert.Equal(0, h.Route());
        _time.Advance(TimeSpan.FromSeconds(1)); // 30 s after the first alert of "hq"
        Assert.Equal(1, h.Route());
        var hq = Assert.Single(Bodies(h));
        Assert.Equal(["a", "b"], Devices(hq));
        Assert.Equal("hq", hq.GetProperty("groupLabels").GetProperty("building").GetString());

        _time.Advance(TimeSpan.FromSeconds(10)); // annex's own group_wait
        Assert.Equal(1, h.Route());
        Assert.Equal(2, h.Outbox.CountPending());
    }

    [Fact]
    public async Task Group_interval_batches_later_changes_and_repeat_interval_resends()
    {
        await using var h = Create();
        h.Publish(TestAlerts.Firing(device: "a"));
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, h.Route());

        _time.Advance(TimeSpan.FromMinutes(1));
        h.Publish(TestAlerts.Firing(device: "b"));
        _time.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal(0, h.Route()); // within group_interval
        _time.Advance(TimeSpan.FromMinutes(1)); // 5 min after the first flush
        Assert.Equal(1, h.Route());
        Assert.Equal(["a", "b"], Devices(Bodies(h)[1]));

        // Nothing new: quiet until repeat_interval (4 h after the last notification).
        for (var i = 0; i < 47; i++)
        {
            _time.Advance(TimeSpan.FromMinutes(5));
            Assert.Equal(0, h.Route());
        }

        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(1, h.Route());
        Assert.Equal(3, h.Outbox.CountPending());
    }

    [Fact]
    public async Task Firing_and_resolved_within_group_wait_sends_nothing()
    {
        await using var h = Create();
        var a = TestAlerts.Firing();
        h.Publish(a);
        _time.Advance(TimeSpan.FromSeconds(10));
        h.Publish(TestAlerts.Resolved(a, _time.GetUtcNow()));
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, h.Route());
        Assert.Equal(0, h.Outbox.CountPending());
        Assert.Equal(0, h.Router.GroupCount);
    }

    [Fact]
    public async Task Device_offline_inhibits_that_devices_threshold_alerts_only()
    {
        await using var h = Create(new WebhookEndpointOptions { Name = "ops", Url = "http://127.0.0.1:9/hook" }); // one group per alert
        var offline = TestAlerts.Firing(rule: "device offline", device: "a", value: double.NaN);
        h.Publish(offline);
        _time.Advance(TimeSpan.FromSeconds(1));
        h.Publish(TestAlerts.Firing(rule: "co2-high", device: "a"), TestAlerts.Firing(rule: "co2-high", device: "b"));
        _time.Advance(TimeSpan.FromSeconds(30));
        h.Route();

        var sent = Bodies(h).Select(b => (Rule: b.GetProperty("alerts")[0].GetProperty("rule").GetString(), Device: Devices(b)[0])).ToList();
        Assert.Equal(2, sent.Count);
        Assert.Contains(("device offline", "a"), sent);
        Assert.Contains(("co2-high", "b"), sent);

        // The device comes back: its threshold alert is no longer inhibited and goes out at the group's next tick.
        h.Publish(TestAlerts.Resolved(offline, _time.GetUtcNow()));
        _time.Advance(TimeSpan.FromMinutes(5));
        h.Route();
        var last = Bodies(h);
        Assert.Contains(last, b => b.GetProperty("alerts")[0].GetProperty("rule").GetString() == "co2-high" && Devices(b)[0] == "a");
        Assert.Contains(last, b => b.GetProperty("status").GetString() == "resolved" && Devices(b)[0] == "a");
    }

    [Fact]
    public async Task Custom_inhibit_rule_with_equal_labels()
    {
        await using var h = Create(new WebhookEndpointOptions { Name = "ops", Url = "http://127.0.0.1:9/hook" }, o => o.InhibitRules =
        [
            new InhibitRuleOptions { SourceMatchers = ["severity=\"critical\""], TargetMatchers = ["severity=\"warning\""], Equal = ["building"] },
        ]);
        h.Publish(TestAlerts.Firing(rule: "fire", device: "f1", severity: AlertSeverity.Critical),
            TestAlerts.Firing(rule: "co2-high", device: "a"), TestAlerts.Firing(rule: "co2-high", device: "b", building: "annex"));
        _time.Advance(TimeSpan.FromSeconds(30));
        h.Route();
        var devices = Bodies(h).Select(b => Devices(b)[0]).Order().ToList();
        Assert.Equal(["b", "f1"], devices);
    }

    [Fact]
    public async Task Silence_mutes_matching_alerts_until_it_expires()
    {
        await using var h = Create(new WebhookEndpointOptions { Name = "ops", Url = "http://127.0.0.1:9/hook" });
        var silence = h.Status.CreateSilence(new SilenceRequest { Matchers = ["building=\"hq\"", "floor=~\"3|4\""], Duration = TimeSpan.FromHours(1), CreatedBy = "ana", Comment = "maintenance" });
        h.Publish(TestAlerts.Firing(device: "a"), TestAlerts.Firing(device: "b", floor: "5"));
        _time.Advance(TimeSpan.FromSeconds(30));
        h.Route();
        Assert.Equal(["b"], Bodies(h).Select(b => Devices(b)[0]).ToList());
        Assert.True(h.Status.GetAlerts().Single(a => a.Device == "a").Silenced);

        _time.Advance(TimeSpan.FromHours(1)); // silence over: the still-firing alert goes out at the next tick
        h.Route();
        Assert.Contains(Bodies(h), b => Devices(b)[0] == "a");
        Assert.DoesNotContain(h.Status.GetSilences(), s => s.Id == silence.Id && s.IsActive(_time.GetUtcNow()));
    }

    [Fact]
    public async Task Resolve_of_an_announced_alert_is_sent_during_a_silence_and_an_unannounced_one_stays_silent()
    {
        await using var h = Create(new WebhookEndpointOptions { Name = "ops", Url = "http://127.0.0.1:9/hook" });
        var a = TestAlerts.Firing(device: "a");
        h.Publish(a);
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, h.Route()); // the receiver is told a fires

        h.Status.CreateSilence(new SilenceRequest { Matchers = ["building=\"hq\""], Duration = TimeSpan.FromHours(2), CreatedBy = "ana", Comment = "maintenance" });
        var b = TestAlerts.Firing(device: "b", startsAt: _time.GetUtcNow());
        h.Publish(b); // fires during the silence: never announced
        for (var i = 0; i < 3; i++) // group ticks during the silence: nothing sent, and a is not forgotten
        {
            _time.Advance(TimeSpan.FromMinutes(5));
            Assert.Equal(0, h.Route());
        }

        h.Publish(TestAlerts.Resolved(a, _time.GetUtcNow()), TestAlerts.Resolved(b, _time.GetUtcNow()));
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(1, h.Route());
        var resolve = Bodies(h)[^1];
        Assert.Equal("resolved", resolve.GetProperty("status").GetString());
        Assert.Equal(["a"], Devices(resolve));

        _time.Advance(TimeSpan.FromHours(2)); // the silence ends: nothing is left to say
        Assert.Equal(0, h.Route());
        Assert.Equal(2, h.Outbox.CountPending());
    }

    [Fact]
    public async Task Announced_alert_still_firing_when_its_silence_ends_is_not_announced_again()
    {
        await using var h = Create(new WebhookEndpointOptions { Name = "ops", Url = "http://127.0.0.1:9/hook" });
        var a = TestAlerts.Firing(device: "a");
        h.Publish(a);
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, h.Route());
        h.Status.CreateSilence(new SilenceRequest { Matchers = ["device=\"a\""], Duration = TimeSpan.FromHours(1) });
        for (var i = 0; i < 12 + 6; i++) // through the silence and half an hour past it, well within repeat_interval
        {
            _time.Advance(TimeSpan.FromMinutes(5));
            Assert.Equal(0, h.Route());
        }

        h.Publish(TestAlerts.Resolved(a, _time.GetUtcNow()));
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(1, h.Route());
        Assert.Equal(["firing", "resolved"], Bodies(h).Select(b => b.GetProperty("status").GetString()!).ToList());
    }

    [Fact]
    public async Task Resolve_of_an_announced_alert_is_sent_while_it_is_inhibited()
    {
        await using var h = Create(new WebhookEndpointOptions { Name = "ops", Url = "http://127.0.0.1:9/hook" });
        var co2 = TestAlerts.Firing(rule: "co2-high", device: "a");
        h.Publish(co2);
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, h.Route());
        h.Publish(TestAlerts.Firing(rule: "device offline", device: "a", value: double.NaN, startsAt: _time.GetUtcNow()));
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, h.Route()); // the offline alert
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(0, h.Route()); // co2-high is inhibited now: not repeated, not forgotten

        h.Publish(TestAlerts.Resolved(co2, _time.GetUtcNow()));
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(1, h.Route());
        var last = Bodies(h)[^1];
        Assert.Equal("resolved", last.GetProperty("status").GetString());
        Assert.Equal("co2-high", last.GetProperty("alerts")[0].GetProperty("rule").GetString());
    }

    [Fact]
    public async Task Flapping_is_announced_once_per_episode_then_its_resolve()
    {
        // flapping: { max_changes: 4, window: 1m } and a value alternating every 4 s, as the engine publishes it.
        await using var h = Create(new WebhookEndpointOptions { Name = "ops", Url = "http://127.0.0.1:9/hook" }, o =>
        {
            o.GroupWait = TimeSpan.Zero;
            o.GroupInterval = TimeSpan.FromSeconds(1);
        });
        Alert? episode = null;
        for (var i = 0; i < 5; i++) // firing at 0, 8, 16 s; resolved at 4, 12 s
        {
            var now = _time.GetUtcNow();
            episode = i % 2 == 0 ? TestAlerts.Firing(device: "a", startsAt: now) : TestAlerts.Resolved(episode!, now);
            h.Publish(episode);
            _time.Advance(TimeSpan.FromSeconds(4));
        }

        Assert.Equal(5, h.Outbox.CountPending());
        var flapping = Flapping(episode!, _time.GetUtcNow());
        h.Publish(flapping); // 20 s: the fifth change would resolve; the engine holds it firing and says so
        Assert.Equal(6, h.Outbox.CountPending());
        var told = Bodies(h)[^1].GetProperty("alerts")[0];
        Assert.Equal("firing", told.GetProperty("status").GetString());
        Assert.Contains("holding firing", told.GetProperty("annotations").GetProperty("flapping").GetString(), StringComparison.Ordinal);

        // The same episode said again (flapping, or plain after an engine restart) is not news.
        for (var i = 0; i < 10; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(4));
            h.Publish(i % 2 == 0 ? flapping with { At = _time.GetUtcNow() } : episode! with { At = _time.GetUtcNow() });
        }

        Assert.Equal(6, h.Outbox.CountPending());
        _time.Advance(TimeSpan.FromSeconds(40));
        h.Publish(TestAlerts.Resolved(episode!, _time.GetUtcNow()) with { Annotations = new Dictionary<string, string> { ["note"] = "resolved after flapping stopped" } });
        Assert.Equal(["firing", "resolved", "firing", "resolved", "firing", "firing", "resolved"],
            Bodies(h).Select(b => b.GetProperty("status").GetString()!).ToList());
        Assert.Single(Bodies(h), b => b.GetProperty("alerts")[0].GetProperty("annotations").TryGetProperty("flapping", out _));
    }

    private static Alert Flapping(Alert firing, DateTimeOffset at) => firing with
    {
        At = at,
        Annotations = new Dictionary<string, string>(firing.Annotations) { [AlertAnnotations.Flapping] = "flapping: 4 state changes within 1m; holding firing until it is stable" },
    };

    [Fact]
    public async Task Expiring_a_silence_through_the_service_unmutes_at_once()
    {
        await using var h = Create(new WebhookEndpointOptions { Name = "ops", Url = "http://127.0.0.1:9/hook" });
        var silence = h.Status.CreateSilence(new SilenceRequest { Matchers = ["device=\"a\""], EndsAt = _time.GetUtcNow().AddDays(1) });
        h.Publish(TestAlerts.Firing(device: "a"));
        _time.Advance(TimeSpan.FromSeconds(30));
        h.Route();
        Assert.Equal(0, h.Outbox.CountPending());
        Assert.True(h.Status.ExpireSilence(silence.Id));
        _time.Advance(TimeSpan.FromMinutes(5));
        h.Route();
        Assert.Equal(1, h.Outbox.CountPending());
        Assert.Throws<ArgumentException>(() => h.Status.CreateSilence(new SilenceRequest { Matchers = ["device=\"a\""] }));
        Assert.Throws<ArgumentException>(() => h.Status.CreateSilence(new SilenceRequest { Matchers = ["building"], Duration = TimeSpan.FromHours(1) }));
    }

    [Fact]
    public async Task Acknowledged_alerts_stop_repeating_but_still_send_their_resolve()
    {
        await using var h = Create(new WebhookEndpointOptions { Name = "ops", Url = "http://127.0.0.1:9/hook" });
        var a = TestAlerts.Firing();
        h.Publish(a);
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, h.Route());
        Assert.True(h.Status.Acknowledge(a.Fingerprint, "ana", "on it"));
        Assert.False(h.Status.Acknowledge("nope", "ana", null));

        for (var i = 0; i < 24; i++) // 10 hours: past two repeat intervals
        {
            _time.Advance(TimeSpan.FromMinutes(25));
            Assert.Equal(0, h.Route());
        }

        h.Publish(TestAlerts.Resolved(a, _time.GetUtcNow()));
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(1, h.Route());
        var last = Bodies(h)[^1];
        Assert.Equal("resolved", last.GetProperty("status").GetString());
        Assert.True(last.GetProperty("alerts")[0].GetProperty("acknowledged").GetBoolean());
        var view = h.Status.GetAlert(a.Fingerprint)!;
        Assert.Equal("ana", view.AcknowledgedBy);
        Assert.Equal("on it", view.AcknowledgeComment);
    }

    [Fact]
    public async Task Escalation_is_sent_and_clears_the_acknowledgement()
    {
        await using var h = Create(new WebhookEndpointOptions { Name = "ops", Url = "http://127.0.0.1:9/hook" });
        var a = TestAlerts.Firing();
        h.Publish(a);
        _time.Advance(TimeSpan.FromSeconds(30));
        h.Route();
        h.Status.Acknowledge(a.Fingerprint, "ana", null);
        h.Publish(TestAlerts.Escalated(a, AlertSeverity.Critical, _time.GetUtcNow()));
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(1, h.Route());
        var body = Bodies(h)[^1].GetProperty("alerts")[0];
        Assert.Equal("escalated", body.GetProperty("status").GetString());
        Assert.Equal("critical", body.GetProperty("severity").GetString());
        Assert.False(body.GetProperty("acknowledged").GetBoolean());
    }

    [Fact]
    public async Task Restart_neither_repeats_nor_forgets()
    {
        using var dir = new TempDir();
        var path = dir.Sub("alerts.db");
        var a = TestAlerts.Firing(device: "a");
        await using (var h = Create(outboxPath: path))
        {
            h.Publish(a);
            _time.Advance(TimeSpan.FromSeconds(30));
            Assert.Equal(1, h.Route());
            h.Publish(TestAlerts.Firing(device: "b")); // stored, waiting for the group's next tick when the process stops
        }

        await using (var h = Create(outboxPath: path))
        {
            h.Router.Recover();
            _time.Advance(TimeSpan.FromSeconds(1));
            Assert.Equal(1, h.Route()); // the pending change (b) is sent once, a is not repeated on its own
            Assert.Equal(["a", "b"], Devices(Bodies(h)[^1]));
            Assert.Equal(2, h.Outbox.CountPending());
        }

        await using (var h = Create(outboxPath: path))
        {
            h.Router.Recover();
            _time.Advance(TimeSpan.FromMinutes(10));
            Assert.Equal(0, h.Route());
        }
    }

    [Fact]
    public async Task Published_alerts_survive_a_crash_before_routing()
    {
        using var dir = new TempDir();
        var path = dir.Sub("alerts.db");
        await using (var h = Create(outboxPath: path))
        {
            h.Publisher.Publish(TestAlerts.Firing()); // written to the inbox, never routed
        }

        await using (var h = Create(outboxPath: path))
        {
            h.Router.Recover();
            h.Route();
            _time.Advance(TimeSpan.FromSeconds(30));
            Assert.Equal(1, h.Route());
        }
    }

    [Fact]
    public async Task SendResolved_false_sends_no_resolve()
    {
        await using var h = Create(new WebhookEndpointOptions { Name = "ops", Url = "http://127.0.0.1:9/hook", SendResolved = false });
        var a = TestAlerts.Firing();
        h.Publish(a);
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, h.Route());
        h.Publish(TestAlerts.Resolved(a, _time.GetUtcNow()));
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(0, h.Route());
        Assert.Equal(1, h.Outbox.CountPending());
        Assert.Equal(0, h.Router.GroupCount);
    }

    [Fact]
    public async Task MaxAlerts_truncates_and_counts_the_rest()
    {
        await using var h = Create(new WebhookEndpointOptions { Name = "ops", Url = "http://127.0.0.1:9/hook", GroupBy = ["building"], MaxAlerts = 2 });
        h.Publish(TestAlerts.Firing(device: "a"), TestAlerts.Firing(device: "b"), TestAlerts.Firing(device: "c"));
        _time.Advance(TimeSpan.FromSeconds(30));
        h.Route();
        var body = Assert.Single(Bodies(h));
        Assert.Equal(2, body.GetProperty("alerts").GetArrayLength());
        Assert.Equal(1, body.GetProperty("truncatedAlerts").GetInt32());
    }
}
