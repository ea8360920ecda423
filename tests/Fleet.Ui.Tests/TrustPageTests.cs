using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Fleet.Ui.Tests;

/// <summary>The signing keys page shows each product's TUF metadata (versions, scopes and their keys, revocations)
/// as the hub stores it.</summary>
public sealed class TrustPageTests
{
    [Fact]
    public async Task The_keys_page_lists_each_scope_with_its_keys_and_drops_a_revoked_key()
    {
        await using var ui = await UiHub.StartAsync();
        await ui.FleetOkAsync("keys", "root", "create", "root1");
        await ui.FleetOkAsync("keys", "create", "dev");
        await ui.FleetOkAsync("keys", "create", "release");
        // Registered, so the page can name them; the hub would show bare key ids otherwise.
        await ui.FleetOkAsync("keys", "register", "dev", "--product", UiHub.Product);
        await ui.FleetOkAsync("keys", "register", "release", "--product", UiHub.Product);
        await ui.FleetOkAsync("trust", "init", "--product", UiHub.Product, "--root-key", "root1");
        await ui.FleetOkAsync("trust", "add-key", "--product", UiHub.Product, "--key", "dev", "--scope", "group:test");
        await ui.FleetOkAsync("trust", "add-key", "--product", UiHub.Product, "--key", "release", "--scope", "any");
        await using var browser = await UiBrowser.StartAsync();
        var page = await browser.SignInAsync(ui.Url, "admin", ui.AdminPassword);

        await page.GotoAsync(ui.Url + "/keys");

        var trust = page.GetByTestId("trust");
        await Expect(trust).ToContainTextAsync("targets v3");
        var scopes = page.GetByTestId("trust-scopes");
        await Expect(scopes.Locator("tr", new() { HasText = "group:test" })).ToContainTextAsync("dev");
        await Expect(scopes.Locator("tr", new() { HasText = "any" })).ToContainTextAsync("release");

        await ui.FleetOkAsync("trust", "revoke-key", "--product", UiHub.Product, "--key", "dev");
        await page.ReloadAsync();

        await Expect(page.GetByTestId("trust")).ToContainTextAsync("targets v4");
        await Expect(page.GetByTestId("trust-scopes")).Not.ToContainTextAsync("group:test");
        await Expect(page.GetByTestId("trust-scopes")).ToContainTextAsync("release");
    }
}
