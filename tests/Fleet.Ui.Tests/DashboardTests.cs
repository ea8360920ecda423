using Fleet.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Fleet.Ui.Tests;

/// <summary>The dashboard counts the fleet instead of listing it: totals, devices by firmware version and by tank
/// state; the device table shows one page of 50 and pages on; a search narrows it.</summary>
public sealed class DashboardTests
{
    [Fact]
    public async Task The_dashboard_counts_the_fleet_and_pages_and_searches_its_devices()
    {
        await using var ui = await UiHub.StartAsync();
        foreach (var i in Enumerable.Range(0, 60))
        {
            await DeviceIdentity.ProvisionAsync(ui.Hub, $"tank-{i:000}", UiHub.Product, i < 5 ? ["field"] : ["lab"]);
        }

        await using var browser = await UiBrowser.StartAsync();
        var page = await browser.SignInAsync(ui.Url, "admin", ui.AdminPassword);

        await Expect(page.GetByTestId("count-devices")).ToHaveTextAsync("60");
        await Expect(page.GetByTestId("count-offline")).ToHaveTextAsync("60");
        await Expect(page.GetByTestId("by-state")).ToContainTextAsync("unknown");
        var rows = page.GetByTestId("devices").Locator("tbody tr");
        await Expect(rows).ToHaveCountAsync(50);
        await Expect(page.GetByTestId("device-row-tank-049")).ToBeVisibleAsync();

        await page.GetByTestId("page-next").ClickAsync();
        await Expect(rows).ToHaveCountAsync(10);
        await Expect(page.GetByTestId("device-row-tank-059")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("page-next")).ToHaveCountAsync(0);
        await page.GetByTestId("page-previous").ClickAsync();
        await Expect(page.GetByTestId("device-row-tank-000")).ToBeVisibleAsync();

        await page.GetByTestId("search-tag").FillAsync("field");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(rows).ToHaveCountAsync(5);
        await page.GetByTestId("search-tag").FillAsync("");
        await page.GetByTestId("search-serial").FillAsync("tank-02");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(rows).ToHaveCountAsync(10);
        await UiBrowser.ScreenshotAsync(page, "dashboard-search");
    }
}
