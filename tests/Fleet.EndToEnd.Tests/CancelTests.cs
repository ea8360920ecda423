using System.Text.Json.Nodes;
using Fleet.Testing;

namespace Fleet.EndToEnd.Tests;

[Collection(OtaCollection.Name)]
public sealed class CancelTests(OtaBundles bundles)
{
    [Fact]
    public async Task Cancel_update_stops_a_download_discards_it_and_the_device_keeps_running_its_version()
    {
        await using var world = await OtaWorld.StartAsync(bundles, new Dictionary<string, string?> { ["FLEET_TEST_CHUNK_DELAY_MS"] = "40" });
        await world.CliAsync("firmware", "publish", bundles.V101);
        var agent = await world.AddDeviceAsync("tank-x");
        await world.AllRunAsync("1.0.0", ["tank-x"]);

        var pushed = await world.PostAsync("/api/v1/devices/tank-x/update", new { firmware = "1.0.1" });
        var journal = Path.Combine(agent.Root, "update", "journal.json");
        await Eventually.Until(() => File.Exists(Path.Combine(agent.Root, "update", "bitmap")), "the download to be under way", TimeSpan.FromSeconds(60));

        var answer = await world.PostAsync("/api/v1/devices/tank-x/cancel-update", new { });
        Assert.True(answer["ok"]!.GetValue<bool>(), answer.ToJsonString());

        JsonNode? attempt = null;
        await Eventually.Until(async () =>
        {
            attempt = (await world.AttemptsAsync("tank-x")).First(a => a!["id"]!.GetValue<long>() == pushed["id"]!.GetValue<long>());
            return attempt!["state"]!.ToString() == "failed";
        }, "the cancellation to reach the hub", TimeSpan.FromSeconds(60));
        Assert.StartsWith("Cancelled", attempt!["reason"]!.ToString());

        Assert.Equal("idle", JsonNode.Parse(await File.ReadAllTextAsync(journal))!["phase"]!.ToString());
        Assert.False(File.Exists(Path.Combine(agent.Root, "update", "staging")));
        Assert.False(Directory.Exists(Path.Combine(agent.Root, "slots", "b")));
        Assert.Equal("1.0.0", (await world.DeviceAsync("tank-x"))["firmwareVersion"]!.ToString());
    }
}
