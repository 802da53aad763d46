using SmartCity.IoT.Alerts.Delivery;
using SmartCity.IoT.Alerts.Options;
using SmartCity.IoT.Alerts.Outbox;
using SmartCity.IoT.Core.Alerting;

namespace SmartCity.IoT.Alerts.Tests;

/// <summary>Issue 15: what the alert page reads: transitions with values, delivery events, covering silences, inhibition, endpoint state.</summary>
public sealed class AlertHistoryTests
{
    [Fact]
    public async Task Transitions_are_kept_in_order_with_their_values()
    {
        await using var h = new Harness([]);
        var firing = TestAlerts.Firing(value: 1234);
        h.Publish(firing);
        var escalated = TestAlerts.Escalated(firing, AlertSeverity.Critical, TestAlerts.T0.AddMinutes(2)) with { Value = 2100 };
        h.Publish(escalated);
        h.Publish(TestAlerts.Resolved(escalated, TestAlerts.T0.AddMinutes(5)) with { Value = 800 });

        var timeline = h.Status.GetTimeline(firing.Fingerprint);

        Assert.Equal(["firing", "escalated", "resolved"], timeline.Select(t => t.Status));
        Assert.Equal([1234d, 2100d, 800d], timeline.Select(t => t.Value!.Value));
        Assert.Equal(["warning", "critical", "critical"], timeline.Select(t => t.Severity));
        Assert.Equal(TestAlerts.T0.AddMinutes(2), timeline[1].At);
    }

    [Fact]
    public async Task A_flapping_alert_keeps_only_its_latest_transitions()
    {
        await using var h = new Harness([]);
        var firing = TestAlerts.Firing();
        for (var i = 0; i < AlertTransitionStore.KeptPerAlert + 10; i++)
        {
            var at = TestAlerts.T0.AddMinutes(2 * i);
            h.Outbox.AppendInbox([firing with { StartsAt = at, At = at, Value = i }, TestAlerts.Resolved(firing with { StartsAt = at }, at.AddMinutes(1))]);
        }

        h.Router.ProcessInbox();

        var timeline = h.Status.GetTimeline(firing.Fingerprint);
        Assert.Equal(AlertTransitionStore.KeptPerAlert, timeline.Count);
        Assert.Equal("resolved", timeline[^1].Status);
    }

    [Fact]
    public async Task Each_notification_event_is_recorded_for_the_alert_and_its_endpoint()
    {
        await using var receiver = await Receiver.StartAsync((call, ctx) =>
        {
            ctx.Response.StatusCode = call == 1 ? 503 : 200;
            return Task.CompletedTask;
        });
        await using var h = new Harness([new WebhookEndpointOptions { Name = "ops", Url = receiver.Url }]);
        var firing = TestAlerts.Firing();
        h.Publish(firing);

        Assert.Equal(DeliveryOutcome.Retry, await h.Dispatcher.AttemptAsync(h.Outbox.GetPending()[0]));
        Assert.Equal(DeliveryOutcome.Delivered, await h.Dispatcher.AttemptAsync(h.Outbox.GetPending()[0]));

        var events = h.Status.GetDeliveries(firing.Fingerprint);
        Assert.Equal([DeliveryRecord.Queued, DeliveryRecord.Failed, DeliveryRecord.Delivered], events.Select(e => e.Outcome));
        Assert.Equal([0, 1, 2], events.Select(e => e.Attempt));
        Assert.Contains("503", events[1].Detail, StringComparison.Ordinal);
        Assert.All(events, e => Assert.Equal("ops", e.Endpoint));
        var endpoint = Assert.Single(h.Status.GetEndpoints());
        Assert.Equal(events[2].At, endpoint.LastSuccessAt);
        Assert.Equal(events[1].At, endpoint.LastFailureAt);
        Assert.Contains("503", endpoint.LastFailure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dead_letter_and_its_retry_are_recorded()
    {
        await using var receiver = await Receiver.StartAsync((_, ctx) =>
        {
            ctx.Response.StatusCode = 400;
            return Task.CompletedTask;
        });
        await using var h = new Harness([new WebhookEndpointOptions { Name = "ops", Url = receiver.Url }]);
        var firing = TestAlerts.Firing();
        h.Publish(firing);

        Assert.Equal(DeliveryOutcome.DeadLetter, await h.Dispatcher.AttemptAsync(h.Outbox.GetPending()[0]));
        var dead = Assert.Single(h.Status.GetDeadLetters());
        Assert.Equal(DeadLetterRetryResult.Requeued, h.Status.RetryDeadLetter(dead.Id));

        var events = h.Status.GetDeliveries(firing.Fingerprint);
        Assert.Equal([DeliveryRecord.Queued, DeliveryRecord.DeadLettered, DeliveryRecord.Requeued], events.Select(e => e.Outcome));
        Assert.Contains("400", events[1].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_view_names_the_silences_that_cover_it_and_the_alert_that_inhibits_it()
    {
        await using var h = new Harness([], configure: o => o.InhibitRules =
        [
            new InhibitRuleOptions { SourceMatchers = ["alertname=\"power-down\""], TargetMatchers = ["alertname=\"co2-high\""], Equal = ["building"] },
        ]);
        var co2 = TestAlerts.Firing();
        var power = TestAlerts.Firing(rule: "power-down", device: "pdu-1", severity: AlertSeverity.Critical);
        var elsewhere = TestAlerts.Firing(device: "ems-0099", building: "annex");
        h.Publish(co2, power, elsewhere);
        var silence = h.Status.CreateSilence(new SilenceRequest { Matchers = ["device=\"ems-0042\""], Duration = TimeSpan.FromHours(1), CreatedBy = "ana" });
        h.Status.CreateSilence(new SilenceRequest { Matchers = ["device=\"other\""], Duration = TimeSpan.FromHours(1) });

        var view = h.Status.GetAlert(co2.Fingerprint)!;

        Assert.True(view.Silenced);
        Assert.Equal([silence.Id], view.SilencedBy);
        Assert.Equal(silence.Id, Assert.Single(h.Status.SilencesCovering(view)).Id);
        Assert.Equal(power.Fingerprint, view.InhibitedBy);
        var other = h.Status.GetAlert(elsewhere.Fingerprint)!;
        Assert.False(other.Inhibited); // another building: the rule's equal label differs
        Assert.False(other.Silenced);
        Assert.Null(h.Status.GetAlert(power.Fingerprint)!.InhibitedBy);
    }
}
