using System.Text.Json;
using static Microsoft.Playwright.Assertions;

namespace Fleet.Ui.Tests;

public sealed class FirmwareUploadTests
{
    [Fact]
    public async Task A_manager_uploads_a_signed_bundle_in_the_browser_and_it_is_stored_verified_and_audited()
    {
        await using var ui = await UiHub.StartAsync();
        var bundle = await ui.SignedBundleAsync("2.3.4");
        await using var browser = await UiBrowser.StartAsync();
        var page = await browser.SignInAsync(ui.Url, "admin", ui.AdminPassword);

        await UiBrowser.OpenAsync(page, ui.Url + "/firmware");
        await Expect(page.GetByTestId("firmware").Locator("tbody tr")).ToHaveCountAsync(0);
        await page.GetByTestId("upload").Locator("input[type=file]").SetInputFilesAsync(bundle);
        await Expect(page.GetByTestId("notice")).ToContainTextAsync("Stored 2.3.4", new() { Timeout = 60_000 });
        await Expect(page.GetByTestId("firmware").Locator("tbody tr")).ToHaveCountAsync(1);
        await page.GetByTestId("firmware").Locator("tbody tr").First.ClickAsync();
        await Expect(page.GetByTestId("metadata")).ToContainTextAsync("\"version\":\"2.3.4\"");

        using var api = ui.Hub.Admin();
        var firmware = JsonDocument.Parse(await api.GetStringAsync("/api/v1/firmware")).RootElement.EnumerateArray().ToList();
        Assert.Single(firmware, f => f.GetProperty("version").GetString() == "2.3.4");
        var audit = JsonDocument.Parse(await api.GetStringAsync("/api/v1/audit?limit=100")).RootElement.EnumerateArray();
        Assert.Contains(audit, a => a.GetProperty("action").GetString() == "firmware.publish" && a.GetProperty("actor").GetString() == "admin");
    }

    [Fact]
    public async Task A_tampered_bundle_uploaded_in_the_browser_is_refused_with_the_reason_and_nothing_is_stored()
    {
        await using var ui = await UiHub.StartAsync();
        var bundle = await ui.SignedBundleAsync("2.3.5");
        var tampered = ui.Work.Combine("tampered.fwb");
        File.Copy(bundle, tampered);
        // The manifest says another version than the one signed: the signature no longer covers its bytes.
        using (var zip = System.IO.Compression.ZipFile.Open(tampered, System.IO.Compression.ZipArchiveMode.Update))
        {
            var entry = zip.GetEntry("manifest.json")!;
            string manifest;
            using (var reader = new StreamReader(entry.Open()))
            {
                manifest = await reader.ReadToEndAsync();
            }

            entry.Delete();
            using var writer = new StreamWriter(zip.CreateEntry("manifest.json").Open());
            await writer.WriteAsync(manifest.Replace("2.3.5", "2.3.6", StringComparison.Ordinal));
        }

        await using var browser = await UiBrowser.StartAsync();
        var page = await browser.SignInAsync(ui.Url, "admin", ui.AdminPassword);

        await UiBrowser.OpenAsync(page, ui.Url + "/firmware");
        await page.GetByTestId("upload").Locator("input[type=file]").SetInputFilesAsync(tampered);
        await Expect(page.GetByTestId("notice")).ToHaveClassAsync("refused", new() { Timeout = 60_000 });
        await Expect(page.GetByTestId("firmware").Locator("tbody tr")).ToHaveCountAsync(0);
    }
}
