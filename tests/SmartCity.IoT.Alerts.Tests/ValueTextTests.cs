using System.Text;
using System.Text.Json;
using SmartCity.IoT.Alerts.Formats;
using SmartCity.IoT.Alerts.Outbox;

namespace SmartCity.IoT.Alerts.Tests;

/// <summary>An enum or boolean rule's value reaches the operator by name, not as an ordinal.</summary>
public sealed class ValueTextTests
{
    [Fact]
    public void Native_body_and_text_template_name_an_enum_value()
    {
        var alert = TestAlerts.Firing() with { Value = 4, ValueText = "fault" };
        var n = new GroupNotification("ops", "g", new Dictionary<string, string>(), [new TrackedAlert(alert, null, null, null)], "http://127.0.0.1:8080");

        using var body = JsonDocument.Parse(NotificationFormatter.Native(n));
        var first = body.RootElement.GetProperty("alerts")[0];
        Assert.Equal("fault", first.GetProperty("valueText").GetString());
        Assert.Equal(4, first.GetProperty("value").GetDouble());

        var text = Encoding.UTF8.GetString(NotificationFormatter.Text(n, "{{rule}}: {{value}}"));
        Assert.Contains(": fault", text, StringComparison.Ordinal);
        Assert.DoesNotContain(": 4", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_numeric_value_has_no_value_text()
    {
        var alert = TestAlerts.Firing() with { Value = 1234 };
        var n = new GroupNotification("ops", "g", new Dictionary<string, string>(), [new TrackedAlert(alert, null, null, null)], "http://127.0.0.1:8080");
        using var body = JsonDocument.Parse(NotificationFormatter.Native(n));
        Assert.False(body.RootElement.GetProperty("alerts")[0].TryGetProperty("valueText", out _));
    }
}
