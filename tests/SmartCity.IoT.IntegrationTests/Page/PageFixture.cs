using System.Globalization;
using System.Text;
using SmartCity.IoT.IntegrationTests.Infrastructure;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.IntegrationTests.Page;

/// <summary>One gateway (real Mosquitto), one webhook receiver and one Chromium for the page tests; each test uses devices of its own.</summary>
public sealed class PageFixture : IAsyncLifetime
{
    public const string Rule = """
        rules:
          - name: page_co2_high
            match: { family: environment }
            expr: co2 > 1000
            clear: co2 < 900
            severity: warning
            annotations:
              summary: "CO2 {{ value:0 }} ppm on {{ building }}/{{ floor }}"
        """;

    /// <summary>The operator the tests that act sign in as (reads stay anonymous on loopback, as in the demo).</summary>
    public const string User = "ana";
    public const string Password = "ana-facility-password-9";

    private string _rulesDir = "";

    internal GatewayInstance Gateway { get; private set; } = null!;

    internal WebhookReceiver Receiver { get; private set; } = null!;

    internal BrowserSession Browser { get; private set; } = null!;

    internal TestPublisher Publisher { get; private set; } = null!;

    public string BaseUrl { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Receiver = await WebhookReceiver.StartAsync();
        _rulesDir = Directory.CreateTempSubdirectory("smartcity-page-rules-").FullName;
        await File.WriteAllTextAsync(Path.Combine(_rulesDir, "page.yaml"), Rule);
        var port = FreePort.Next();
        BaseUrl = "http://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture);
        Gateway = await GatewayInstance.StartAsync(s =>
        {
            s["Http:Urls"] = BaseUrl;
            s["Alerts:ExternalUrl"] = BaseUrl;
            s["Gateway:RulesPath"] = _rulesDir;
            s["Buildings:Path"] = ""; // these pages are the tag tree's; FloorViewFixture has a building model
            Receiver.AddEndpointTo(s);
            s["Webhooks:0:MinSeverity"] = "Info";
            // A receiver that answers 404: its notifications are dead-lettered at once, so the webhooks page has a retry button.
            s["Webhooks:1:Name"] = "broken";
            s["Webhooks:1:Url"] = Receiver.Url + "/missing";
            s["Webhooks:1:Signing"] = "none"; // shown as unsigned
            s["Webhooks:1:MinSeverity"] = "Info";
            s["Alerts:GroupInterval"] = "00:00:01";
            s["Status:HistoryInterval"] = "00:00:00.200";
            s["Status:HistoryPoints"] = "300";
            s["Http:Auth:Users:0:Name"] = User;
            s["Http:Auth:Users:0:Role"] = "operator";
            s["Http:Auth:Users:0:PasswordHash"] = SmartCity.IoT.Gateway.Security.HttpCredentials.HashPassword(Password);
        });
        Publisher = await TestPublisher.ConnectAsync(TestEnvironment.MosquittoPort);
        Browser = await BrowserSession.StartAsync();
    }

    /// <summary>A new page signed in as <see cref="User"/> through the login form, back on <paramref name="path"/>.</summary>
    internal async Task<Microsoft.Playwright.IPage> SignedInPageAsync(string path)
    {
        var page = await Browser.NewPageAsync();
        await page.GotoAsync(BaseUrl + path);
        await page.GetByRole(Microsoft.Playwright.AriaRole.Link, new() { Name = "Sign in" }).ClickAsync();
        await page.GetByLabel("User").FillAsync(User);
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Microsoft.Playwright.Assertions.Expect(page.Locator("header .user")).ToHaveTextAsync(User);
        return page;
    }

    /// <summary>Publishes one environment reading of <paramref name="device"/> in <paramref name="building"/>, floor 7.</summary>
    public Task PublishAsync(string building, string device, int co2, long? ts = null) =>
        Publisher.PublishAsync($"buildings/{building}/floors/7/env/{device}/telemetry",
            Encoding.UTF8.GetBytes("{\"ts\":" + (ts ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()) + ",\"climate\":{\"t\":23.1,\"rh\":55.0},\"air\":{\"co2\":" + co2 + ",\"tvoc\":0.2,\"pm\":{\"pm2_5\":8.0,\"pm10\":15.0}}}"));

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        await Publisher.DisposeAsync();
        await Gateway.DisposeAsync();
        await Receiver.DisposeAsync();
        Directory.Delete(_rulesDir, recursive: true);
    }
}
