using Fleet.Testing;
using static Microsoft.Playwright.Assertions;

namespace Fleet.Ui.Tests;

public sealed class SignInTests
{
    [Fact]
    public async Task The_first_start_creates_admin_with_a_password_kept_0600_never_printed_and_a_wrong_password_is_refused()
    {
        await using var ui = await UiHub.StartAsync();
        var file = Path.Combine(ui.Hub.DataDir, "admin-password");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.DoesNotContain(ui.AdminPassword, ui.Hub.Process.StandardOutput, StringComparison.Ordinal);

        await using var browser = await UiBrowser.StartAsync();
        var context = await browser.Browser.NewContextAsync(new() { IgnoreHTTPSErrors = true });
        var page = await context.NewPageAsync();
        await page.GotoAsync(ui.Url + "/devices/tank-1");
        Assert.Contains("/signin", page.Url, StringComparison.Ordinal);
        await page.FillAsync("input[name=user]", "admin");
        await page.FillAsync("input[name=password]", ui.AdminPassword + "x");
        await page.ClickAsync("button[type=submit]");
        await Expect(page.GetByRole(Microsoft.Playwright.AriaRole.Alert)).ToContainTextAsync("Wrong user name or password");
        await Expect(page.GetByTestId("who")).ToHaveCountAsync(0);

        // A restart keeps the password and prints no new one.
        await ui.RestartHubAsync();
        Assert.DoesNotContain("Web UI sign-in", ui.Hub.Process.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(ui.AdminPassword, File.ReadAllText(file).Trim());
        var again = await browser.SignInAsync(ui.Url, "admin", ui.AdminPassword);
        await Expect(again.GetByTestId("who")).ToContainTextAsync("admin (admin)");
    }
}
