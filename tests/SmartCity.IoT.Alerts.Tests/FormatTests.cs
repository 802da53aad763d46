using System.Text.Json;
using SmartCity.IoT.Alerts.Options;
using SmartCity.IoT.Core.Alerting;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.Alerts.Tests;

/// <summary>Happy path per format: a real receiver gets the firing, then the resolve, in order.</summary>
public sealed class FormatTests
{
    [Fact]
    public async Task Native_format_firing_then_resolved()
    {
        await using var receiver = await Receiver.StartAsync(200);
        await using var h = new Harness([new WebhookEndpointOptions { Name = "ops", Url = receiver.Url, Format = WebhookFormat.Native }]);
        var firing = TestAlerts.Firing(value: 1234.5);
        await PublishFiringThenResolvedAsync(h, receiver, firing);

        var (first, second) = Two(receiver);
        Assert.Equal("application/json", first.ContentType);
        var f = first.Json;
        Assert.Equal("1", f.GetProperty("version").GetString());
        Assert.Equal("firing", f.GetProperty("status").GetString());
        var a = f.GetProperty("alerts")[0];
        Assert.Equal(firing.Fingerprint, a.GetProperty("fingerprint").GetString());
        Assert.Equal("co2-high", a.GetProperty("rule").GetString());
        Assert.Equal("warning", a.GetProperty("severity").GetString());
        Assert.Equal("firing", a.GetProperty("status").GetString());
        Assert.Equal(1234.5, a.GetProperty("value").GetDouble());
        Assert.Equal("ems-0042", a.GetProperty("device").GetString());
        Assert.Equal("hq", a.GetProperty("building").GetString());
        Assert.Equal("3", a.GetProperty("floor").GetString());
        Assert.Equal("2026-11-23T08:00:00.000Z", a.GetProperty("startsAt").GetString());
        Assert.Equal(JsonValueKind.Null, a.GetProperty("endsAt").ValueKind);
        Assert.Equal($"http://status.example:8080/alerts/{firing.Fingerprint}", a.GetProperty("url").GetString());
        Assert.Equal("co2-high 1234.5 on hq/3", a.GetProperty("annotations").GetProperty("summary").GetString());

        var r = second.Json;
        Assert.Equal("resolved", r.GetProperty("status").GetString());
        Assert.Equal("resolved", r.GetProperty("alerts")[0].GetProperty("status").GetString());
        Assert.Equal("2026-11-23T08:10:00.000Z", r.GetProperty("alerts")[0].GetProperty("endsAt").GetString());
        Assert.NotEqual(first.WebhookId, second.WebhookId);
    }

    [Fact]
    public async Task Alertmanager_v4_format_firing_then_resolved()
    {
        await using var receiver = await Receiver.StartAsync(200);
        await using var h = new Harness([new WebhookEndpointOptions { Name = "am", Url = receiver.Url, Format = WebhookFormat.Alertmanager }]);
        var firing = TestAlerts.Firing();
        await PublishFiringThenResolvedAsync(h, receiver, firing);

        var (first, second) = Two(receiver);
        var f = first.Json;
        // Every field an Alertmanager webhook receiver reads.
        foreach (var name in new[] { "version", "groupKey", "truncatedAlerts", "status", "receiver", "groupLabels", "commonLabels", "commonAnnotations", "externalURL", "alerts" })
        {
            Assert.True(f.TryGetProperty(name, out _), $"missing {name}");
        }

        Assert.Equal("4", f.GetProperty("version").GetString());
        Assert.Equal("firing", f.GetProperty("status").GetString());
        Assert.Equal("am", f.GetProperty("receiver").GetString());
        Assert.Equal("http://status.example:8080", f.GetProperty("externalURL").GetString());
        Assert.Equal("co2-high", f.GetProperty("commonLabels").GetProperty("alertname").GetString());
        var a = f.GetProperty("alerts")[0];
        Assert.Equal("firing", a.GetProperty("status").GetString());
        Assert.Equal("hq", a.GetProperty("labels").GetProperty("building").GetString());
        Assert.Equal("0001-01-01T00:00:00Z", a.GetProperty("endsAt").GetString());
        Assert.Equal(firing.Fingerprint, a.GetProperty("fingerprint").GetString());
        Assert.EndsWith("/alerts/" + firing.Fingerprint, a.GetProperty("generatorURL").GetString(), StringComparison.Ordinal);

        var r = second.Json;
        Assert.Equal("resolved", r.GetProperty("status").GetString());
        Assert.Equal("2026-11-23T08:10:00.000Z", r.GetProperty("alerts")[0].GetProperty("endsAt").GetString());
        Assert.Equal(f.GetProperty("groupKey").GetString(), r.GetProperty("groupKey").GetString());
    }

    [Fact]
    public async Task Text_format_renders_the_template_into_a_chat_body()
    {
        await using var receiver = await Receiver.StartAsync(200);
        await using var h = new Harness([new WebhookEndpointOptions
        {
            Name = "chat", Url = receiver.Url, Format = WebhookFormat.Text,
            Template = "{{status}}: {{rule}} {{value}} ppm at {{building}}/{{floor}} ({{severity}}) {{summary}}",
        }]);
        await PublishFiringThenResolvedAsync(h, receiver, TestAlerts.Firing());

        var (first, second) = Two(receiver);
        Assert.Equal("firing: co2-high 1234 ppm at hq/3 (warning) co2-high 1234 on hq/3", first.Json.GetProperty("text").GetString());
        Assert.Equal("resolved: co2-high 1234 ppm at hq/3 (warning) co2-high 1234 on hq/3", second.Json.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Endpoints_only_get_alerts_at_or_above_their_MinSeverity_and_matching_their_matchers()
    {
        await using var all = await Receiver.StartAsync(200);
        await using var critical = await Receiver.StartAsync(200);
        await using var annex = await Receiver.StartAsync(200);
        await using var h = new Harness(
        [
            new WebhookEndpointOptions { Name = "all", Url = all.Url },
            new WebhookEndpointOptions { Name = "critical", Url = critical.Url, MinSeverity = AlertSeverity.Critical },
            new WebhookEndpointOptions { Name = "annex", Url = annex.Url, Matchers = ["building=\"annex\"", "family=~\"env.*\""] },
        ]);
        h.Publish(TestAlerts.Firing(device: "a", severity: AlertSeverity.Warning), TestAlerts.Firing(device: "b", severity: AlertSeverity.Critical),
            TestAlerts.Firing(device: "c", building: "annex"));
        await h.Dispatcher.DeliverDueAsync();

        Assert.Equal(3, all.Requests.Count);
        Assert.Equal("b", Assert.Single(critical.Requests).Json.GetProperty("alerts")[0].GetProperty("device").GetString());
        Assert.Equal("c", Assert.Single(annex.Requests).Json.GetProperty("alerts")[0].GetProperty("device").GetString());
    }

    private static async Task PublishFiringThenResolvedAsync(Harness h, Receiver receiver, Alert firing)
    {
        h.StartDelivery();
        h.Publish(firing);
        await Eventually.UntilAsync(() => receiver.Answered.Count >= 1, TimeSpan.FromSeconds(10), "the firing notification");
        h.Publish(TestAlerts.Resolved(firing, firing.StartsAt.AddMinutes(10)));
        // A resolve goes out on the group's next tick (group_interval, 200 ms in the harness), as in Alertmanager.
        await Eventually.UntilAsync(() => h.Route() >= 0 && receiver.Answered.Count >= 2, TimeSpan.FromSeconds(10), "the resolved notification");
    }

    private static (ReceivedRequest First, ReceivedRequest Second) Two(Receiver receiver)
    {
        var list = receiver.Requests.OrderBy(r => r.Call).ToList();
        Assert.Equal(2, list.Count);
        return (list[0], list[1]);
    }
}
