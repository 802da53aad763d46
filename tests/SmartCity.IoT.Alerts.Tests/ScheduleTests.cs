using Microsoft.Extensions.Time.Testing;
using SmartCity.IoT.Alerts.Options;
using SmartCity.IoT.Alerts.Routing;

namespace SmartCity.IoT.Alerts.Tests;

/// <summary>The retry schedule is stored per notification; checked on a fake clock against a real always-failing receiver.</summary>
public sealed class ScheduleTests
{
    [Fact]
    public async Task Default_schedule_is_Standard_Webhooks_then_dead_letter()
    {
        await using var receiver = await Receiver.StartAsync(Enumerable.Repeat(503, 20).ToArray());
        var time = new FakeTimeProvider(TestAlerts.T0);
        await using var h = new Harness([new WebhookEndpointOptions { Name = "ops", Url = receiver.Url }], time, o =>
        {
            o.RetrySchedule = [];
            o.RetryJitter = 0;
        });
        h.Publish(TestAlerts.Firing());
        var expected = new[] { "00:00:05", "00:05:00", "00:30:00", "02:00:00", "05:00:00", "10:00:00", "14:00:00", "20:00:00", "1.00:00:00" }
            .Select(s => TimeSpan.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        foreach (var step in expected)
        {
            var before = time.GetUtcNow();
            Assert.Equal(1, await h.Dispatcher.DeliverDueAsync());
            var n = Assert.Single(h.Outbox.GetPending());
            Assert.Equal(before + step, n.NextAttemptAt);
            time.Advance(step - TimeSpan.FromSeconds(1));
            Assert.Equal(0, await h.Dispatcher.DeliverDueAsync()); // not due a second early
            time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(1, await h.Dispatcher.DeliverDueAsync());
        Assert.Equal(0, h.Outbox.CountPending());
        var dead = Assert.Single(h.Outbox.GetDeadLetters());
        Assert.Equal(10, dead.Attempts);
        Assert.Equal(10, receiver.Requests.Count);
        Assert.Single(receiver.Requests.Select(r => r.WebhookId).Distinct());
    }

    [Theory]
    [InlineData(0.0, 0.8)]
    [InlineData(0.5, 1.0)]
    [InlineData(0.9999, 1.2)]
    public async Task Jitter_stays_within_its_bounds(double random, double factor)
    {
        await using var h = new Harness([new WebhookEndpointOptions { Name = "ops", Url = "http://127.0.0.1:9/hook" }], configure: o => o.RetryJitter = 0.2);
        var dispatcher = new Delivery.WebhookDispatcher(h.Outbox, h.Options, h.Endpoints, h.Http, random: () => random);
        var expected = TimeSpan.FromMilliseconds(100 * factor);
        Assert.InRange(dispatcher.RetryDelay(1, null), expected - TimeSpan.FromMilliseconds(1), expected + TimeSpan.FromMilliseconds(1));
        Assert.Equal(TimeSpan.FromSeconds(30), dispatcher.RetryDelay(1, TimeSpan.FromSeconds(30)));
        Assert.Equal(h.Options.MaxRetryAfter, dispatcher.RetryDelay(1, TimeSpan.FromDays(3)));
    }

    [Theory]
    [InlineData("building=\"hq\"", "hq", true)]
    [InlineData("building=hq", "hq", true)]
    [InlineData("building!=\"hq\"", "hq", false)]
    [InlineData("building=~\"h.*\"", "hq", true)]
    [InlineData("building=~\"h\"", "hq", false)]
    [InlineData("building!~\"annex|lab\"", "hq", true)]
    [InlineData("missing=\"\"", "hq", true)]
    public void Matchers_follow_Alertmanager(string matcher, string building, bool matches)
    {
        Assert.Equal(matches, LabelMatcher.Parse(matcher).Matches(new Dictionary<string, string> { ["building"] = building }));
    }
}
