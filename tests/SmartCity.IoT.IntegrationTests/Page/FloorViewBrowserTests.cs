using Microsoft.Playwright;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace SmartCity.IoT.IntegrationTests.Page;

/// <summary>Issue 20: the floor view in a real browser (Debian's Chromium through Playwright): zones coloured live by their alerts, each a link to its place page.</summary>
public sealed class FloorViewBrowserTests(FloorViewFixture fixture, ITestOutputHelper output) : IClassFixture<FloorViewFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private const string Green = "rgb(45, 164, 78)";
    private const string WarningYellow = "rgb(212, 167, 44)";

    [Fact]
    public async Task The_floor_view_colours_a_zone_when_its_alert_fires_and_the_zone_links_to_its_place_page()
    {
        const string device = FloorViewFixture.EastDevice;
        const string neighbour = FloorViewFixture.WestDevice;
        await fixture.SendAsync(device, 700);
        await fixture.SendAsync(neighbour, 650);
        await Eventually.WaitAsync(() => Task.FromResult(fixture.Gateway.Get<DeviceRegistry>().Snapshot().Count(d => d.DeviceId is device or neighbour)), n => n == 2, Wait, "both devices in the registry");

        var page = await fixture.Browser.NewPageAsync();
        await page.GotoAsync(fixture.BaseUrl + "/floor/" + FloorViewFixture.Floor);
        var east = page.Locator("#" + FloorViewFixture.East);
        var west = page.Locator("#" + FloorViewFixture.West);
        await Assertions.Expect(east).ToHaveCSSAsync("fill", Green);
        var zoneLink = page.Locator($"a[data-zone='{FloorViewFixture.East}']");
        await Assertions.Expect(zoneLink).ToHaveAttributeAsync("data-state", "none");

        // The alert fires; the open page (not reloaded) turns the zone the warning colour at its next refresh.
        await fixture.SendAsync(device, 1650);
        await Assertions.Expect(east).ToHaveCSSAsync("fill", WarningYellow, new() { Timeout = (float)Wait.TotalMilliseconds });
        await Assertions.Expect(zoneLink).ToHaveAttributeAsync("data-state", "warning");
        Assert.Equal(Green, await west.EvaluateAsync<string>("e => getComputedStyle(e).fill")); // the other zone stays quiet
        await Assertions.Expect(page.Locator($"[data-zone-state='{FloorViewFixture.East}']")).ToContainTextAsync("1 alert firing, worst warning");
        await Assertions.Expect(page.Locator($"[data-swatch-of='{FloorViewFixture.East}']")).ToHaveCSSAsync("background-color", WarningYellow);
        Assert.Contains("East wing: 1 alert firing, worst warning", await zoneLink.Locator("title").TextContentAsync(), StringComparison.Ordinal);
        output.WriteLine("screenshot: " + await BrowserSession.ScreenshotAsync(page, "floor-view"));

        // The zone is a link a keyboard reaches: focused and entered, it opens the place page.
        await zoneLink.FocusAsync();
        Assert.Equal(FloorViewFixture.East, await page.EvaluateAsync<string>("() => document.activeElement.getAttribute('data-zone')"));
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("East wing");
        Assert.EndsWith("/place/" + FloorViewFixture.East, page.Url, StringComparison.Ordinal);
        await Assertions.Expect(page.Locator("table.devices").GetByRole(AriaRole.Link, new() { Name = device, Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("table.alerts")).ToContainTextAsync("floor_co2_high");
        await Assertions.Expect(page.Locator("table.attrs")).ToContainTextAsync("capacity");
        output.WriteLine("screenshot: " + await BrowserSession.ScreenshotAsync(page, "place-page"));
        fixture.Browser.AssertNoErrors();
    }
}
