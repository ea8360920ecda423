using System.Text.RegularExpressions;
using Fleet.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Fleet.Ui.Tests;

public sealed partial class DemoTests
{
    /// <summary>The whole first-run story: `fleet demo --devices 3` brings up a hub and three tanks under fleet-boot and
    /// rolls v1.0.1 out to beta; in the browser, a rollout of v1.0.1 to production started from the group page reaches
    /// committed on every device; SIGINT stops the demo and leaves no process behind.</summary>
    [Fact]
    public async Task Fleet_demo_rolls_out_to_beta_a_ui_rollout_to_production_commits_everywhere_and_sigint_leaves_no_process()
    {
        await using var demo = ProductProcess.Start(RepoPaths.CliDll, ["demo", "--devices", "3"], workingDirectory: RepoPaths.Root);
        var seen = new HashSet<int>();
        try
        {
            await demo.WaitForLineAsync(l => l.Contains("finished: every device committed", StringComparison.Ordinal), "the demo's beta rollout to finish", TimeSpan.FromMinutes(12));
            var url = UrlLine().Match(demo.StandardOutput).Groups[1].Value;
            var passwordFile = LoginLine().Match(demo.StandardOutput).Groups[1].Value;
            Assert.True(url.Length > 0 && File.Exists(passwordFile), demo.StandardOutput);
            var password = (await File.ReadAllTextAsync(passwordFile)).Trim();
            Assert.DoesNotContain(password, demo.StandardOutput, StringComparison.Ordinal);
            seen.UnionWith(ProcessTree.DescendantsOf(demo.Pid));

            await using var browser = await UiBrowser.StartAsync();
            var page = await browser.SignInAsync(url, "admin", password);
            await Expect(page.GetByTestId("group-row-beta")).ToContainTextAsync("1.0.1");
            await UiBrowser.OpenAsync(page, url + "/groups/beta");
            var betaRows = page.GetByTestId("group-devices").Locator("tbody tr");
            await Expect(betaRows).ToHaveCountAsync(1);
            await Expect(page.GetByTestId("status-tank-01")).ToHaveAttributeAsync("data-status", "committed");

            await UiBrowser.OpenAsync(page, url + "/groups/production");
            var rows = page.GetByTestId("group-devices").Locator("tbody tr");
            await Expect(rows).ToHaveCountAsync(2);
            await page.GetByTestId("firmware-choice").SelectOptionAsync(new SelectOptionValue { Label = (await page.GetByTestId("firmware-choice").Locator("option", new() { HasText = "1.0.1" }).TextContentAsync())!.Trim() });
            await page.GetByTestId("change-firmware").ClickAsync();
            await Expect(page.GetByTestId("current-release")).ToContainTextAsync("1.0.1");
            await Expect(page.Locator("[data-status=in_flight]").First).ToBeVisibleAsync(new() { Timeout = 60_000 });
            await UiBrowser.ScreenshotAsync(page, "group-rollout");
            // The demo tags a third of the tanks beta (tank-01 of three); production is tank-02 and tank-03.
            foreach (var serial in new[] { "tank-02", "tank-03" })
            {
                await Expect(page.GetByTestId("status-" + serial)).ToHaveAttributeAsync("data-status", "committed", new() { Timeout = 300_000 });
            }

            await Expect(rows).ToHaveCountAsync(2);
            await Expect(page.GetByTestId("member-tank-01")).ToHaveCountAsync(0);
            await UiBrowser.ScreenshotAsync(page, "group-committed");
            seen.UnionWith(ProcessTree.DescendantsOf(demo.Pid));
        }
        finally
        {
            seen.UnionWith(ProcessTree.DescendantsOf(demo.Pid));
            demo.Signal(Posix.SigInt);
            await demo.WaitForExitAsync(TimeSpan.FromSeconds(90));
        }

        Assert.Equal(0, demo.ExitCode);
        Assert.True(seen.Count >= 4, $"expected the hub and three agents among the demo's children, saw: {string.Join(", ", seen.Select(ProcessTree.Describe))}");
        var left = seen.Where(ProcessTree.IsRunning).Select(ProcessTree.Describe).ToList();
        Assert.True(left.Count == 0, $"still running after the demo stopped: {string.Join("; ", left)}");
    }

    [GeneratedRegex(@"UI:\s+(https://\S+?)/\s")]
    private static partial Regex UrlLine();

    [GeneratedRegex(@"login:\s+admin, password in (\S+)")]
    private static partial Regex LoginLine();
}
