using System.Text.Json;
using Fleet.Testing;

namespace Fleet.Cli.Tests.Hub;

/// <summary><c>fleet device list</c> shows a page at a time and says how to get the next; <c>--all</c> follows the
/// hub's cursors to the end; filters go to the hub.</summary>
public sealed class DeviceListTests
{
    [Fact]
    public async Task A_page_at_a_time_the_next_by_cursor_every_page_with_all_and_filters()
    {
        using var work = new TempDir();
        await using var hub = await RunningHub.StartAsync();
        var cli = new FleetCli(work.Combine("config"), work.Path);
        await cli.LoginAsync(hub.Url, hub.AdminToken, hub.CaCertPath);
        await cli.OkAsync("product", "create", "algae-tank");
        foreach (var i in Enumerable.Range(1, 5))
        {
            await DeviceIdentity.ProvisionAsync(hub, $"tank-{i}", "algae-tank", i == 5 ? ["field"] : ["lab"]);
        }

        var first = await cli.OkAsync("device", "list", "--limit", "2");
        var lines = first.Trim().Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("tank-1 ", lines[0]);
        Assert.StartsWith("tank-2 ", lines[1]);
        var cursor = lines[2].Split("--cursor ")[1].Split(' ')[0];
        Assert.StartsWith("tank-3 ", await cli.OkAsync("device", "list", "--limit", "2", "--cursor", cursor));

        var all = JsonDocument.Parse(await cli.OkAsync("device", "list", "--limit", "2", "--all", "--json")).RootElement;
        Assert.Equal(["tank-1", "tank-2", "tank-3", "tank-4", "tank-5"], all.EnumerateArray().Select(d => d.GetProperty("serial").GetString()));
        Assert.Equal("tank-5", Assert.Single(JsonDocument.Parse(await cli.OkAsync("device", "list", "--tag", "field", "--json")).RootElement.EnumerateArray()).GetProperty("serial").GetString());
        Assert.Empty(JsonDocument.Parse(await cli.OkAsync("device", "list", "--online", "--json")).RootElement.EnumerateArray());

        var both = await cli.RunAsync("device", "list", "--online", "--offline");
        Assert.NotEqual(0, both.ExitCode);
        Assert.Contains("--online and --offline exclude each other", both.StandardError);
        var badLimit = await cli.RunAsync("device", "list", "--limit", "5000");
        Assert.NotEqual(0, badLimit.ExitCode);
        Assert.Contains("limit 5000 is out of range", badLimit.StandardError);
    }
}
