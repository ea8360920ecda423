using static Microsoft.Playwright.Assertions;

namespace Fleet.Ui.Tests;

public sealed class AuditTests
{
    [Fact]
    public async Task The_audit_log_shows_actions_taken_in_the_ui_with_their_actor_and_filters_by_actor_and_subject()
    {
        await using var ui = await UiHub.StartAsync();
        await ui.PublishFirmwareAsync("1.0.0");
        await ui.FleetOkAsync("deployment", "create", "production", "--product", UiHub.Product, "--firmware", "1.0.0");
        await using var browser = await UiBrowser.StartAsync();
        var page = await browser.SignInAsync(ui.Url, "admin", ui.AdminPassword);

        await UiBrowser.OpenAsync(page, ui.Url + "/groups/production");
        await page.GetByTestId("pause").ClickAsync();
        await Expect(page.GetByTestId("group-state")).ToHaveTextAsync("paused");
        await page.GetByTestId("resume").ClickAsync();
        await Expect(page.GetByTestId("group-state")).ToHaveTextAsync("active");

        await UiBrowser.OpenAsync(page, ui.Url + "/audit");
        var rows = page.GetByTestId("audit").Locator("tbody tr");
        await page.GetByTestId("filter-subject").FillAsync("deployment:production");
        await Expect(rows.Filter(new() { HasText = "deployment.pause" })).ToHaveCountAsync(1);
        await Expect(rows.Filter(new() { HasText = "deployment.pause" })).ToContainTextAsync("admin");
        await Expect(rows.Filter(new() { HasText = "deployment.resume" })).ToHaveCountAsync(1);
        await page.GetByTestId("filter-actor").FillAsync("admin");
        await Expect(rows.Filter(new() { HasText = "deployment.pause" })).ToHaveCountAsync(1);
        await page.GetByTestId("filter-actor").FillAsync("someone-else");
        await Expect(rows).ToHaveCountAsync(0);
    }
}
