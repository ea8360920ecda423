using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Fleet.Ui.Tests;

/// <summary>A page left open keeps its Blazor circuit and the principal it started with; every action still decides
/// with the user as the directory holds it now, so a demotion or a disabling takes effect on the open page too.</summary>
public sealed class StaleSessionTests
{
    private const string Password = "kim-Password-123";

    [Fact]
    public async Task A_manager_demoted_or_disabled_while_a_page_is_open_can_no_longer_act_from_it()
    {
        await using var ui = await UiHub.StartAsync();
        await ui.PublishFirmwareAsync("1.0.0");
        await ui.FleetOkAsync("deployment", "create", "production", "--product", UiHub.Product, "--firmware", "1.0.0");
        var passwordFile = ui.Work.Combine("kim-password");
        await File.WriteAllTextAsync(passwordFile, Password + "\n");
        File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await ui.FleetOkAsync("user", "create", "kim", "--role", "manage", "--password-file", passwordFile, "--no-token");
        await using var browser = await UiBrowser.StartAsync();
        var kim = await browser.SignInAsync(ui.Url, "kim", Password);
        await UiBrowser.OpenAsync(kim, ui.Url + "/groups/production");
        await kim.GetByTestId("pause").ClickAsync();
        await Expect(kim.GetByTestId("group-state")).ToHaveTextAsync("paused");

        await ui.FleetOkAsync("user", "role", "kim", "view");
        await ResumeRefusedAsync(ui, kim);

        await ui.FleetOkAsync("user", "role", "kim", "manage");
        await ui.FleetOkAsync("user", "disable", "kim");
        await ResumeRefusedAsync(ui, kim);
    }

    /// <summary>The open page's button refuses (the action checks the directory), or the page is gone already (the
    /// circuit's session was revalidated meanwhile, every 30 s); either way the group stays paused.</summary>
    private static async Task ResumeRefusedAsync(UiHub ui, IPage page)
    {
        var gone = page.Locator("p.refused");
        if (!await gone.IsVisibleAsync())
        {
            try
            {
                await page.GetByTestId("resume").ClickAsync(new() { Timeout = 10_000 });
            }
            catch (TimeoutException)
            {
                // Only a page that is gone may have no button; the expectation below says which.
            }
        }

        await Expect(page.GetByTestId("notice").Or(gone)).ToContainTextAsync(new System.Text.RegularExpressions.Regex("changed since you signed in|not allowed to see this page"));
        Assert.Contains("\"paused\": true", await ui.FleetOkAsync("deployment", "show", "production", "--json"));
    }
}
