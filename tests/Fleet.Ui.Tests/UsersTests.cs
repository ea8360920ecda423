using System.Text.RegularExpressions;
using Fleet.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Fleet.Ui.Tests;

/// <summary>The Users page manages the one account directory: the user it creates signs in to the UI and uses its
/// token with the CLI, and disabling or deleting it stops both.</summary>
public sealed partial class UsersTests
{
    private const string Password = "kim-Password-123";

    [Fact]
    public async Task A_user_made_on_the_Users_page_signs_in_and_uses_its_token_with_the_CLI_until_disabled_or_deleted()
    {
        await using var ui = await UiHub.StartAsync();
        await using var browser = await UiBrowser.StartAsync();
        var admin = await browser.SignInAsync(ui.Url, "admin", ui.AdminPassword);
        await UiBrowser.OpenAsync(admin, ui.Url + "/users");
        await admin.GetByTestId("new-user").FillAsync("kim");
        await admin.GetByTestId("new-role").SelectOptionAsync("manage");
        await admin.GetByTestId("new-password").FillAsync(Password);
        await admin.GetByTestId("create").ClickAsync();
        await Expect(admin.GetByTestId("notice")).ToContainTextAsync("kim can sign in now, as manage");

        await admin.GetByTestId("select-kim").ClickAsync();
        await admin.GetByTestId("token-name").FillAsync("laptop");
        await admin.GetByTestId("token-expires").SelectOptionAsync("30d");
        await admin.GetByTestId("create-token").ClickAsync();
        await Expect(admin.GetByTestId("notice")).ToContainTextAsync("Token laptop for kim");
        var token = TokenText().Match(await admin.GetByTestId("notice").InnerTextAsync()).Value;
        Assert.StartsWith("fleet_", token);
        // Listed by fingerprint, never by the token itself.
        await Expect(admin.GetByTestId("token-kim-laptop")).ToContainTextAsync("sha256:");
        Assert.DoesNotContain(token, await admin.GetByTestId("users").InnerTextAsync(), StringComparison.Ordinal);

        // One user, both ways in.
        var kim = await browser.SignInAsync(ui.Url, "kim", Password);
        await Expect(kim.GetByTestId("who")).ToContainTextAsync("kim (manage)");
        await FleetOkAsync(ui, token, "device", "list");

        // Disabled: no new sign-in, no token, and the open session goes back to sign-in.
        await admin.GetByTestId("toggle-kim").ClickAsync();
        await Expect(admin.GetByTestId("state-kim")).ToHaveTextAsync("disabled");
        var refused = await FleetAsync(ui, token, "device", "list");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("disabled", refused.StandardError);
        await kim.GotoAsync(ui.Url + "/");
        Assert.Contains("/signin", kim.Url, StringComparison.Ordinal);
        var again = await (await browser.Browser.NewContextAsync(new() { IgnoreHTTPSErrors = true })).NewPageAsync();
        await again.GotoAsync(ui.Url + "/signin");
        await again.FillAsync("input[name=user]", "kim");
        await again.FillAsync("input[name=password]", Password);
        await again.ClickAsync("button[type=submit]");
        await Expect(again.GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
        await Expect(again.GetByTestId("who")).ToHaveCountAsync(0);

        // Enabled again: both work.
        await admin.GetByTestId("toggle-kim").ClickAsync();
        await Expect(admin.GetByTestId("state-kim")).ToHaveTextAsync("enabled");
        await FleetOkAsync(ui, token, "device", "list");
        var back = await browser.SignInAsync(ui.Url, "kim", Password);
        await Expect(back.GetByTestId("who")).ToContainTextAsync("kim (manage)");

        // Deleted: its token is gone with it.
        await admin.GetByTestId("delete-kim").ClickAsync();
        await Expect(admin.GetByTestId("notice")).ToContainTextAsync("kim is deleted");
        await Expect(admin.GetByTestId("user-kim")).ToHaveCountAsync(0);
        Assert.NotEqual(0, (await FleetAsync(ui, token, "device", "list")).ExitCode);

        using var api = ui.Hub.Admin();
        var audit = await api.GetStringAsync("/api/v1/audit?subject=user:kim");
        Assert.Contains("user.disable", audit);
        Assert.Contains("user.delete", audit);
    }

    /// <summary>The CLI as the user runs it: the hub and token from the environment, its own config dir.</summary>
    private static Task<ProcessResult> FleetAsync(UiHub ui, string token, params string[] args) =>
        ProductProcess.RunAsync(RepoPaths.CliDll, args, workingDirectory: ui.Work.Path, environment: new Dictionary<string, string?>
        {
            ["FLEET_CONFIG_DIR"] = ui.Work.Combine("config-kim"),
            ["FLEET_HUB"] = ui.Url,
            ["FLEET_TOKEN"] = token,
            ["FLEET_CA_CERT"] = ui.Hub.CaCertPath,
        });

    private static async Task<string> FleetOkAsync(UiHub ui, string token, params string[] args)
    {
        var result = await FleetAsync(ui, token, args);
        Assert.True(result.ExitCode == 0, $"fleet {string.Join(' ', args)}: {result}");
        return result.StandardOutput;
    }

    [GeneratedRegex("fleet_[A-Za-z0-9_-]{20,}")]
    private static partial Regex TokenText();
}
