using Fleet.Testing;
using Microsoft.Playwright;

namespace Fleet.Ui.Tests;

/// <summary>Debian's Chromium driven by Playwright (browsers are never downloaded here).</summary>
internal sealed class UiBrowser : IAsyncDisposable
{
    private readonly IPlaywright _playwright;

    private UiBrowser(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    public static string ScreenshotDir { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public static async Task<UiBrowser> StartAsync()
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        return new UiBrowser(playwright, browser);
    }

    /// <summary>A fresh browser session signed in as USER. The hub's certificate is from its own dev CA, which this
    /// throwaway Chromium profile does not trust; TLS itself is tested with pinned CAs elsewhere.</summary>
    public async Task<IPage> SignInAsync(string url, string user, string password)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true, ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        context.SetDefaultTimeout(60_000);
        var page = await context.NewPageAsync();
        await page.GotoAsync(url + "/");
        Assert.Contains("/signin", page.Url, StringComparison.Ordinal);
        await page.FillAsync("input[name=user]", user);
        await page.FillAsync("input[name=password]", password);
        await page.ClickAsync("button[type=submit]");
        // Only the navigation itself: what proves the sign-in is the user's name on the page, awaited next (a load
        // event can lag far behind on a busy machine while the page is already there).
        await page.WaitForURLAsync(u => !u.Contains("/signin", StringComparison.Ordinal), new() { WaitUntil = WaitUntilState.Commit });
        await Assertions.Expect(page.GetByTestId("who")).ToContainTextAsync(user);
        await WaitLiveAsync(page);
        return page;
    }

    /// <summary>Opens a page and waits until it runs over its circuit: before that, prerendered buttons do nothing.</summary>
    public static async Task OpenAsync(IPage page, string url)
    {
        await page.GotoAsync(url);
        await WaitLiveAsync(page);
    }

    public static Task WaitLiveAsync(IPage page) =>
        Assertions.Expect(page.GetByTestId("live")).ToBeAttachedAsync(new() { Timeout = 60_000 });

    /// <summary>Saves a full-page screenshot next to the test binaries and in artifacts/screenshots/ (ignored by git).</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotDir);
        var path = Path.Combine(ScreenshotDir, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        var artifacts = Path.Combine(RepoPaths.Root, "artifacts", "screenshots");
        Directory.CreateDirectory(artifacts);
        File.Copy(path, Path.Combine(artifacts, name + ".png"), overwrite: true);
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}
