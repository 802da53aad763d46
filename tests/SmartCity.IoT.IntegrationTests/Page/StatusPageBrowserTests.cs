using System.Text.RegularExpressions;
using Microsoft.Playwright;
using SmartCity.IoT.Alerts;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Devices;
using SmartCity.IoT.Gateway.Status.History;
using SmartCity.IoT.IntegrationTests.Infrastructure;
using SmartCity.IoT.Rules.Engine;
using Xunit.Abstractions;

namespace SmartCity.IoT.IntegrationTests.Page;

/// <summary>Issue 15: the status pages in a real browser (Debian's Chromium through Playwright), against a gateway fed through Mosquitto.</summary>
public sealed partial class StatusPageBrowserTests(PageFixture fixture, ITestOutputHelper output) : IClassFixture<PageFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_building_view_colours_a_place_when_an_alert_fires()
    {
        var building = "colour-" + Suffix();
        var device = "ies-" + Suffix();
        await fixture.PublishAsync(building, device, 700);
        await WaitForDeviceAsync(device);
        var page = await fixture.Browser.NewPageAsync();
        await page.GotoAsync(fixture.BaseUrl + "/");
        var place = page.Locator($"details[data-place='{building}']");
        Assert.Equal("none", await place.GetAttributeAsync("data-worst"));
        Assert.Null(await place.GetAttributeAsync("open")); // collapsed by default

        await fixture.PublishAsync(building, device, 1650);
        await WaitForAlertAsync(device);
        await page.ReloadAsync();

        Assert.Equal("warning", await place.GetAttributeAsync("data-worst"));
        Assert.Contains("place-warning", await place.GetAttributeAsync("class"), StringComparison.Ordinal);
        var colour = await place.EvaluateAsync<string>("e => getComputedStyle(e).borderLeftColor");
        Assert.Equal("rgb(212, 167, 44)", colour); // the warning colour, not the green of a quiet place
        await place.Locator("summary").First.ClickAsync();
        await place.Locator($"details[data-place='{building}/7']").Locator("summary").First.ClickAsync();
        await Assertions.Expect(place.GetByRole(AriaRole.Link, new() { Name = device })).ToBeVisibleAsync();
        Assert.Contains("co2 1,650 ppm", await place.Locator("summary").First.InnerTextAsync(), StringComparison.Ordinal);
        output.WriteLine("screenshot: " + await BrowserSession.ScreenshotAsync(page, "building-view"));
        fixture.Browser.AssertNoErrors();
    }

    [Fact]
    public async Task A_device_chart_draws_its_points_and_the_rule_threshold()
    {
        var building = "chart-" + Suffix();
        var device = "ies-" + Suffix();
        foreach (var co2 in new[] { 600, 750, 900, 1100, 950, 800 })
        {
            await fixture.PublishAsync(building, device, co2);
            await WaitForValueAsync(device, co2);
            await WaitForHistoryAsync(device, co2); // two samples of each value, so each gets points of its own
        }

        var page = await fixture.Browser.NewPageAsync();
        await page.GotoAsync(fixture.BaseUrl + "/?q=" + device);
        await page.GetByRole(AriaRole.Link, new() { Name = device }).First.ClickAsync();
        var chart = page.Locator("figure[data-field='co2']");
        await Assertions.Expect(chart.Locator("svg")).ToBeVisibleAsync();
        var points = await chart.Locator("circle.pt").CountAsync();
        Assert.True(points >= 6, $"{points} points drawn");
        var drawn = await chart.Locator("circle.pt title").AllTextContentsAsync();
        foreach (var co2 in new[] { "600 ppm", "1,100 ppm", "800 ppm" })
        {
            Assert.Contains(drawn, t => t.StartsWith(co2, StringComparison.Ordinal));
        }

        Assert.Equal(1, await chart.Locator("g.threshold[data-value='1000']").CountAsync());
        Assert.Equal(1, await chart.Locator("polyline").CountAsync());
        Assert.Contains("page_co2_high", await page.Locator("body").InnerTextAsync(), StringComparison.Ordinal);
        output.WriteLine("screenshot: " + await BrowserSession.ScreenshotAsync(page, "device-page"));
        fixture.Browser.AssertNoErrors();
    }

    [Fact]
    public async Task Acknowledging_from_the_page_shows_acknowledged_by()
    {
        var device = "ies-" + Suffix();
        await fixture.PublishAsync("ack-" + Suffix(), device, 1700);
        var fingerprint = await WaitForOutboxAlertAsync(device);
        var page = await fixture.SignedInPageAsync("/alerts");
        Assert.EndsWith("/alerts", page.Url, StringComparison.Ordinal); // the login form went back where it was asked from
        var session = Assert.Single(await page.Context.CookiesAsync(), c => c.Name == "smartcity.session");
        Assert.True(session.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, session.SameSite);
        var row = page.Locator($"tr[data-fingerprint='{fingerprint}']");
        await row.GetByRole(AriaRole.Button, new() { Name = "Acknowledge" }).ClickAsync();

        // Who acknowledged is the signed-in user, not a name typed in the form.
        await Assertions.Expect(page.Locator("p.notice")).ToContainTextAsync($"Acknowledged by {PageFixture.User}");
        await Assertions.Expect(page.Locator($"tr[data-fingerprint='{fingerprint}'] .badge-acked")).ToContainTextAsync($"acknowledged by {PageFixture.User}");
        Assert.Equal(PageFixture.User, fixture.Gateway.Get<AlertStatusService>().GetAlert(fingerprint)!.AcknowledgedBy);
        await page.GotoAsync(fixture.BaseUrl + "/alerts/" + fingerprint);
        await Assertions.Expect(page.Locator("p.ack-state")).ToContainTextAsync($"Acknowledged by {PageFixture.User}");

        // Signed out, the page stays readable (anonymous reads on loopback, as configured here) and offers to sign in again.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Sign in" })).ToBeVisibleAsync();
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "smartcity.session");
        fixture.Browser.AssertNoErrors();
    }

    [Fact]
    public async Task Creating_a_silence_from_the_page_silences_the_alert()
    {
        var device = "ies-" + Suffix();
        await fixture.PublishAsync("silence-" + Suffix(), device, 1800);
        var fingerprint = await WaitForOutboxAlertAsync(device);
        var page = await fixture.SignedInPageAsync("/alerts/" + fingerprint);
        Assert.Equal(0, await page.Locator(".badge-silenced").CountAsync());
        var form = page.Locator("form.silence-form");
        Assert.Contains($"device=\"{device}\"", await form.Locator("textarea").InputValueAsync(), StringComparison.Ordinal);
        await form.Locator("select[name=duration]").SelectOptionAsync("01:00:00");
        await form.GetByLabel("why").FillAsync("sensor being recalibrated");
        await form.GetByRole(AriaRole.Button, new() { Name = "Create silence" }).ClickAsync();

        await Assertions.Expect(page.Locator("p.notice")).ToContainTextAsync("Silence created");
        await Assertions.Expect(page.Locator("h1 + p .badge-silenced")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("table.silences")).ToContainTextAsync("sensor being recalibrated");
        var view = fixture.Gateway.Get<AlertStatusService>().GetAlert(fingerprint)!;
        Assert.True(view.Silenced);
        var silence = Assert.Single(fixture.Gateway.Get<AlertStatusService>().SilencesCovering(view));
        Assert.Equal(PageFixture.User, silence.CreatedBy);
        Assert.InRange(silence.EndsAt - silence.StartsAt, TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(61));

        // Expired from the silences page, the alert is no longer silenced.
        await page.GotoAsync(fixture.BaseUrl + "/silences");
        await page.Locator($"tr[data-silence='{silence.Id}']").GetByRole(AriaRole.Button, new() { Name = "Expire now" }).ClickAsync();
        await Assertions.Expect(page.Locator("p.notice")).ToContainTextAsync("Silence expired");
        Assert.False(fixture.Gateway.Get<AlertStatusService>().GetAlert(fingerprint)!.Silenced);
        fixture.Browser.AssertNoErrors();
    }

    [Fact]
    public async Task The_alert_page_at_the_webhooks_url_renders_its_timeline()
    {
        var device = "ies-" + Suffix();
        var building = "timeline-" + Suffix();
        await fixture.PublishAsync(building, device, 1650);
        var webhook = await Eventually.WaitAsync(() => Task.FromResult(fixture.Receiver.Received.FirstOrDefault(r => r.Body.Contains(device, StringComparison.Ordinal))),
            r => r is not null, Wait, "the firing webhook");
        var url = AlertUrl().Match(webhook!.Body);
        Assert.True(url.Success, "no alert link in " + webhook.Body);
        Assert.StartsWith(fixture.BaseUrl + "/alerts/", url.Value, StringComparison.Ordinal);
        await fixture.PublishAsync(building, device, 850);
        await Eventually.WaitAsync(() => Task.FromResult(fixture.Receiver.Received.Count(r => r.Body.Contains(device, StringComparison.Ordinal))), n => n >= 2, Wait, "the resolved webhook");

        var page = await fixture.Browser.NewPageAsync();
        var response = await page.GotoAsync(url.Value);
        Assert.Equal(200, response!.Status);
        var timeline = page.Locator("table.timeline tbody tr");
        await Assertions.Expect(timeline).ToHaveCountAsync(2);
        Assert.Contains("resolved", await timeline.Nth(0).InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("firing", await timeline.Nth(1).InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("1,650", await timeline.Nth(1).InnerTextAsync(), StringComparison.Ordinal);
        var deliveries = await page.Locator("table.deliveries").InnerTextAsync();
        Assert.Contains("delivered", deliveries, StringComparison.Ordinal);
        Assert.Contains("dead-lettered", deliveries, StringComparison.Ordinal); // the receiver that answers 404
        Assert.Contains("oncall", deliveries, StringComparison.Ordinal);
        output.WriteLine("screenshot: " + await BrowserSession.ScreenshotAsync(page, "alert-page"));
        fixture.Browser.AssertNoErrors();
    }

    [Fact]
    public async Task Every_page_renders_without_console_errors_and_the_keyboard_reaches_every_button()
    {
        var building = "keys-" + Suffix();
        var device = "ies-" + Suffix();
        await fixture.PublishAsync(building, device, 1900);
        var fingerprint = await WaitForOutboxAlertAsync(device);
        await Eventually.WaitAsync(() => Task.FromResult(fixture.Gateway.Get<AlertStatusService>().GetDeadLetters().Count), n => n > 0, Wait, "a dead letter from the broken receiver");
        var page = await fixture.Browser.NewPageAsync();
        var pages = new[] { "/", "/?open=" + building, "/alerts", "/alerts/" + fingerprint, "/silences", "/webhooks", "/flow", $"/device?profile=harbourtech/ies-300&id={device}" };
        foreach (var path in pages)
        {
            var response = await page.GotoAsync(fixture.BaseUrl + path);
            Assert.True(response!.Ok, $"{path}: HTTP {response.Status}");
            var buttons = await page.Locator("button:visible, summary:visible").CountAsync();
            await page.EvaluateAsync("() => document.addEventListener('focusin', e => e.target.dataset.focused = '1')");
            var focusable = await page.Locator("a[href], button, summary, input:not([type=hidden]), select, textarea").CountAsync();
            for (var i = 0; i <= focusable; i++)
            {
                await page.Keyboard.PressAsync("Tab");
            }

            var missed = await page.EvaluateAsync<string[]>("() => [...document.querySelectorAll('button, summary')].filter(b => b.checkVisibility() && !b.dataset.focused).map(b => b.outerHTML.slice(0, 120))");
            Assert.True(missed.Length == 0, $"{path}: {missed.Length} of {buttons} buttons never got the focus: {string.Join(" | ", missed)}");
        }

        Assert.Contains("Webhook dead letters", await (await Goto(page, "/webhooks")).Locator("h2#dead-letters").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("webhook notification(s) dead-lettered", await (await Goto(page, "/flow")).Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        fixture.Browser.AssertNoErrors();
    }

    [Fact]
    public async Task Retrying_a_webhook_dead_letter_from_the_page_requeues_it()
    {
        var device = "ies-" + Suffix();
        await fixture.PublishAsync("retry-" + Suffix(), device, 1750);
        var fingerprint = await WaitForOutboxAlertAsync(device);
        var status = fixture.Gateway.Get<AlertStatusService>();
        var dead = await Eventually.WaitAsync(() => Task.FromResult(status.GetDeadLetters().FirstOrDefault(d => d.Fingerprints.Contains(fingerprint))), d => d is not null, Wait, "the alert's dead letter");
        var page = await fixture.SignedInPageAsync("/webhooks");
        await Assertions.Expect(page.Locator("tr[data-endpoint='broken']")).ToContainTextAsync("404");
        await Assertions.Expect(page.Locator("tr[data-endpoint='broken'] [data-signing='unsigned']")).ToHaveTextAsync("unsigned");
        await Assertions.Expect(page.Locator("tr[data-endpoint='oncall'] [data-signing='signed']")).ToHaveTextAsync("signed");
        await page.Locator($"tr[data-dead-letter='{dead!.Id}']").GetByRole(AriaRole.Button, new() { Name = "Retry" }).ClickAsync();

        await Assertions.Expect(page.Locator("p.notice")).ToContainTextAsync($"Dead letter {dead.Id} requeued");
        Assert.Contains(status.GetDeliveries(fingerprint), d => d.NotificationId == dead.Id && d.Outcome == SmartCity.IoT.Alerts.Outbox.DeliveryRecord.Requeued);
        fixture.Browser.AssertNoErrors();
    }

    private async Task<IPage> Goto(IPage page, string path)
    {
        await page.GotoAsync(fixture.BaseUrl + path);
        return page;
    }

    private Task WaitForDeviceAsync(string device) =>
        Eventually.WaitAsync(() => Task.FromResult(fixture.Gateway.Get<Core.Devices.DeviceRegistry>().Snapshot().Any(d => d.DeviceId == device)), seen => seen, Wait, $"device {device} in the registry");

    private Task WaitForValueAsync(string device, int co2) =>
        Eventually.WaitAsync(fixture.Gateway.StatusAsync, s => s.Devices.Any(d => d.Device == device && d.Values.Any(v => v.Field == "co2" && v.Value == co2)), Wait, $"co2 {co2} from {device}");

    private Task WaitForHistoryAsync(string device, int co2)
    {
        var history = fixture.Gateway.Get<DeviceHistory>();
        var field = fixture.Gateway.Get<DeviceCatalog>().Vocabulary.TryGet("co2", out var f) ? f.Id : throw new InvalidOperationException("no co2 in the vocabulary");
        var index = fixture.Gateway.Get<DeviceRegistry>().Snapshot().First(d => d.DeviceId == device).Index;
        return Eventually.WaitAsync(() => Task.FromResult(history.Read(index, field)), points => points.Count(p => p.Value == co2) >= 2, Wait, $"two history samples of co2 {co2} from {device}");
    }

    private Task WaitForAlertAsync(string device) =>
        Eventually.WaitAsync(fixture.Gateway.StatusAsync, s => s.ActiveAlerts.Any(a => a.Device == device && a.State.StartsWith("firing", StringComparison.Ordinal)), Wait, $"an alert firing on {device}");

    private async Task<string> WaitForOutboxAlertAsync(string device)
    {
        var view = await Eventually.WaitAsync(() => Task.FromResult(fixture.Gateway.Get<AlertStatusService>().GetAlerts().FirstOrDefault(a => a.Device == device)),
            a => a is not null, Wait, $"the alert of {device} in the outbox");
        return view!.Fingerprint;
    }

    private static string Suffix() => Guid.NewGuid().ToString("N")[..6];

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+/alerts/[0-9a-f]+")]
    private static partial Regex AlertUrl();
}
