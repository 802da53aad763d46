using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using SmartCity.IoT.Alerts.Options;

namespace SmartCity.IoT.Alerts.Tests;

/// <summary>
/// Alertmanager receivers take <c>groupLabels</c> as labels every alert of the group carries (Alertmanager guarantees it);
/// routing groups on labels the engine does not put on the alert itself (<c>profile</c>), so the body must carry them too.
/// </summary>
public sealed class AlertmanagerLabelsTests
{
    private readonly FakeTimeProvider _time = new(TestAlerts.T0);

    [Theory]
    [InlineData("")] // the default "...": one group per alert, grouped on all of its labels
    [InlineData("profile")]
    [InlineData("building,profile,severity")]
    public async Task Every_group_label_is_a_label_of_every_alert_in_the_body(string groupBy)
    {
        var endpoint = new WebhookEndpointOptions { Name = "am", Url = "http://127.0.0.1:9/hook", Format = WebhookFormat.Alertmanager, GroupBy = [.. groupBy.Split(',', StringSplitOptions.RemoveEmptyEntries)] };
        await using var h = new Harness([endpoint], _time);
        h.Publish(TestAlerts.Firing(device: "a"), TestAlerts.Firing(device: "b"));
        var bodies = h.Outbox.GetPending().Select(n => JsonDocument.Parse(n.Body).RootElement).ToList();
        Assert.NotEmpty(bodies);
        foreach (var body in bodies)
        {
            var groupLabels = body.GetProperty("groupLabels").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
            Assert.NotEmpty(groupLabels);
            var common = body.GetProperty("commonLabels");
            foreach (var alert in body.GetProperty("alerts").EnumerateArray())
            {
                var labels = alert.GetProperty("labels");
                foreach (var (name, value) in groupLabels)
                {
                    Assert.True(labels.TryGetProperty(name, out var v) && v.GetString() == value, $"group label {name}={value} is missing from the alert's labels {labels}");
                    Assert.True(common.TryGetProperty(name, out var c) && c.GetString() == value, $"group label {name}={value} is missing from commonLabels {common}");
                }

                Assert.Equal("acme/ems-200", labels.GetProperty("profile").GetString());
            }
        }
    }
}
