namespace Fleet.Ui.Tests;

public sealed class DebugProbe
{
    [Fact]
    public async Task Probe()
    {
        var url = Environment.GetEnvironmentVariable("PROBE_URL");
        if (url is null) return;
        await using var browser = await UiBrowser.StartAsync();
        var ctx = await browser.Browser.NewContextAsync(new() { IgnoreHTTPSErrors = true });
        var page = await ctx.NewPageAsync();
        page.Console += (_, m) => Console.WriteLine("CONSOLE " + m.Type + " " + m.Text);
        page.RequestFailed += (_, r) => Console.WriteLine("FAILED " + r.Url + " " + r.Failure);
        page.WebSocket += (_, w) => Console.WriteLine("WS " + w.Url);
        page.Response += (_, r) => Console.WriteLine("RESP " + r.Status + " " + r.Url);
        await page.GotoAsync(url + "/signin");
        await page.FillAsync("input[name=user]", "admin");
        await page.FillAsync("input[name=password]", Environment.GetEnvironmentVariable("PROBE_PW")!);
        await page.ClickAsync("button[type=submit]");
        await Task.Delay(8000);
        Console.WriteLine("URL " + page.Url);
        Console.WriteLine((await page.ContentAsync())[..Math.Min(3000, (await page.ContentAsync()).Length)]);
    }
}
