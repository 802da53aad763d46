using Microsoft.Playwright;
using SmartCity.IoT.Testing;

namespace SmartCity.IoT.IntegrationTests.Page;

/// <summary>
/// Debian's Chromium driven by Playwright (browser downloads are not reachable here): the path comes from
/// SMARTCITY_TEST_CHROMIUM, which test.sh exports, else /usr/bin/chromium; a missing browser fails the test loudly.
/// Every page it opens records console errors and failed requests, which <see cref="AssertNoErrors"/> checks.
/// </summary>
internal sealed class BrowserSession : IAsyncDisposable
{
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private readonly List<string> _errors = [];

    private BrowserSession(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        _browser = browser;
    }

    /// <summary>Where screenshots go: SMARTCITY_TEST_ARTIFACTS, else artifacts/screenshots in the repository.</summary>
    public static string ArtifactsDir { get; } = Environment.GetEnvironmentVariable("SMARTCITY_TEST_ARTIFACTS") is { Length: > 0 } dir
        ? Path.GetFullPath(dir)
        : Path.Combine(RepoPaths.Root, "artifacts", "screenshots");

    public static string ChromiumPath()
    {
        var path = Environment.GetEnvironmentVariable("SMARTCITY_TEST_CHROMIUM") is { Length: > 0 } p ? p : "/usr/bin/chromium";
        return File.Exists(path)
            ? path
            : throw new InvalidOperationException($"Chromium not found at '{path}': install Debian's chromium (apt-get install chromium) or set SMARTCITY_TEST_CHROMIUM; ./test.sh does both.");
    }

    public static async Task<BrowserSession> StartAsync()
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath(),
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
        return new BrowserSession(playwright, browser);
    }

    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_errors)
            {
                return [.. _errors];
            }
        }
    }

    /// <summary>A new page in a fresh context; errors recorded so far (by earlier tests) are forgotten.</summary>
    public async Task<IPage> NewPageAsync()
    {
        lock (_errors)
        {
            _errors.Clear();
        }

        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        page.Console += (_, m) =>
        {
            if (m.Type is "error" or "warning")
            {
                Add($"console {m.Type} on {page.Url}: {m.Text}");
            }
        };
        page.PageError += (_, e) => Add($"page error on {page.Url}: {e}");
        page.RequestFailed += (_, r) => Add($"request failed: {r.Method} {r.Url}: {r.Failure}");
        page.Response += (_, r) =>
        {
            if (r.Status >= 400 && !r.Url.Contains("/alerts/unknown", StringComparison.Ordinal))
            {
                Add($"HTTP {r.Status} for {r.Url}");
            }
        };
        return page;
    }

    public void AssertNoErrors() => Assert.True(Errors.Count == 0, "browser errors:\n" + string.Join('\n', Errors));

    /// <summary>Saves a full-page screenshot in <see cref="ArtifactsDir"/> and returns its path.</summary>
    public static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ArtifactsDir);
        var path = Path.Combine(ArtifactsDir, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    private void Add(string error)
    {
        lock (_errors)
        {
            _errors.Add(error);
        }
    }
}
