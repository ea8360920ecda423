using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Fleet.Ui.Tests;

public sealed class LiveDeviceTests
{
    [Fact]
    public async Task A_device_appears_online_when_its_agent_connects_and_its_charts_show_telemetry_without_a_reload()
    {
        await using var ui = await UiHub.StartAsync();
        await ui.ProvisionAsync("tank-1");
        await using var browser = await UiBrowser.StartAsync();
        var page = await browser.SignInAsync(ui.Url, "admin", ui.AdminPassword);

        var presence = page.GetByTestId("device-row-tank-1").GetByTestId("presence");
        await Expect(presence).ToHaveTextAsync("offline");
        // Anything that reloads the page would drop this; a live update keeps it.
        await page.EvaluateAsync("window.__sameDocument = 'yes'");

        ui.StartAgent("tank-1");
        await Expect(presence).ToHaveTextAsync("online", new() { Timeout = 60_000 });
        Assert.Equal("yes", await page.EvaluateAsync<string>("window.__sameDocument"));
        await UiBrowser.ScreenshotAsync(page, "dashboard");

        await page.GetByRole(AriaRole.Link, new() { Name = "tank-1" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "tank-1" })).ToBeVisibleAsync();
        await UiBrowser.WaitLiveAsync(page);
        await Expect(page.GetByTestId("hub-anchor")).ToContainTextAsync("the hub's own anchor");
        await page.EvaluateAsync("window.__sameDocument = 'yes'");
        foreach (var sensor in new[] { "water_temperature", "air_temperature", "humidity", "light", "ph", "turbidity", "dissolved_oxygen" })
        {
            await Expect(page.GetByTestId("chart-" + sensor)).Not.ToHaveAttributeAsync("data-points", "0", new() { Timeout = 60_000 });
        }

        // Telemetry keeps arriving: the water temperature series grows while the page stays open.
        var before = int.Parse(await page.GetByTestId("chart-water_temperature").GetAttributeAsync("data-points") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        await Expect(page.GetByTestId("chart-water_temperature")).Not.ToHaveAttributeAsync("data-points", before.ToString(System.Globalization.CultureInfo.InvariantCulture), new() { Timeout = 90_000 });
        Assert.Equal("yes", await page.EvaluateAsync<string>("window.__sameDocument"));
        await Expect(page.GetByTestId("connections")).ToContainTextAsync("connected");
        // The agent's health summary: every sensor's verdict, the control figures and the agent's own counters.
        await Expect(page.GetByTestId("health-sensors")).ToContainTextAsync("water_temperature", new() { Timeout = 60_000 });
        await Expect(page.GetByTestId("health-sensors")).ToContainTextAsync("dissolved_oxygen");
        await Expect(page.GetByTestId("health-facts")).ToContainTextAsync("Water temperature error");
        await Expect(page.GetByTestId("health-facts")).ToContainTextAsync("MiB");
        Assert.Equal("yes", await page.EvaluateAsync<string>("window.__sameDocument"));
        await UiBrowser.ScreenshotAsync(page, "device");
    }
}
