using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Fleet.Ui.Tests;

public sealed class RoleTests
{
    [Fact]
    public async Task A_view_user_sees_no_action_controls_and_forged_actions_from_its_session_are_refused()
    {
        await using var ui = await UiHub.StartAsync();
        await ui.PublishFirmwareAsync("1.0.0");
        await ui.FleetOkAsync("deployment", "create", "beta", "--product", UiHub.Product, "--firmware", "1.0.0", "--tag", "beta");
        await ui.ProvisionAsync("tank-1", ["beta"]);
        ui.StartAgent("tank-1");
        await using var browser = await UiBrowser.StartAsync();

        var admin = await browser.SignInAsync(ui.Url, "admin", ui.AdminPassword);
        await UiBrowser.OpenAsync(admin, ui.Url + "/users");
        await admin.GetByTestId("new-user").FillAsync("viewer");
        await admin.GetByTestId("new-role").SelectOptionAsync("view");
        await admin.GetByTestId("new-password").FillAsync("viewer-password-1A!");
        await admin.GetByTestId("create").ClickAsync();
        await Expect(admin.GetByTestId("notice")).ToContainTextAsync("viewer can sign in now");

        // The controls exist for a manager-or-better user...
        await UiBrowser.OpenAsync(admin, ui.Url + "/devices/tank-1");
        await Expect(admin.GetByTestId("device-actions")).ToBeVisibleAsync();
        await UiBrowser.OpenAsync(admin, ui.Url + "/groups/beta");
        await Expect(admin.GetByTestId("pause")).ToBeVisibleAsync();

        // ...and not for a viewer, who still sees the data.
        var viewer = await browser.SignInAsync(ui.Url, "viewer", "viewer-password-1A!");
        await UiBrowser.OpenAsync(viewer, ui.Url + "/devices/tank-1");
        await Expect(viewer.GetByTestId("tank-state")).ToBeVisibleAsync();
        await Expect(viewer.GetByTestId("device-actions")).ToHaveCountAsync(0);
        await UiBrowser.OpenAsync(viewer, ui.Url + "/groups/beta");
        await Expect(viewer.GetByTestId("current-release")).ToContainTextAsync("1.0.0");
        await Expect(viewer.GetByTestId("pause")).ToHaveCountAsync(0);
        await Expect(viewer.GetByTestId("change-firmware")).ToHaveCountAsync(0);
        await Expect(viewer.GetByRole(AriaRole.Link, new() { Name = "Users" })).ToHaveCountAsync(0);

        // Forged requests with a session cookie: the API takes Bearer tokens only, so the cookie is no credential there.
        var reboot = await viewer.APIRequest.PostAsync(ui.Url + "/api/v1/devices/tank-1/reboot");
        Assert.Equal(401, reboot.Status);
        var pause = await viewer.APIRequest.PatchAsync(ui.Url + "/api/v1/deployments/beta", new() { DataObject = new { paused = true } });
        Assert.Equal(401, pause.Status);
        await viewer.GotoAsync(ui.Url + "/users");
        await Expect(viewer.GetByTestId("denied")).ToBeVisibleAsync();
        await Expect(viewer.GetByTestId("create-user")).ToHaveCountAsync(0);

        // Not a matter of role: the admin's cookie is refused the same way.
        var adminPause = await admin.APIRequest.PatchAsync(ui.Url + "/api/v1/deployments/beta", new() { DataObject = new { paused = true } });
        Assert.Equal(401, adminPause.Status);

        using var api = ui.Hub.Admin();
        var audit = JsonDocument.Parse(await api.GetStringAsync("/api/v1/audit?limit=1000")).RootElement.EnumerateArray().ToList();
        Assert.DoesNotContain(audit, a => a.GetProperty("actor").GetString() == "viewer" && a.GetProperty("action").GetString()!.StartsWith("device.command", StringComparison.Ordinal));
        Assert.DoesNotContain(audit, a => a.GetProperty("actor").GetString() == "viewer" && a.GetProperty("action").GetString() == "deployment.pause");
        Assert.DoesNotContain(audit, a => a.GetProperty("action").GetString() == "deployment.pause");
    }
}
