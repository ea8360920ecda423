using System.Text.Json.Nodes;
using Fleet.Testing;

namespace Fleet.EndToEnd.Tests;

[Collection(OtaCollection.Name)]
public sealed class RefusalTests(OtaBundles bundles)
{
    [Fact]
    public async Task Untrusted_key_downgrade_and_wrong_platform_are_refused_before_download_and_the_refusal_reaches_the_hub()
    {
        await using var world = await OtaWorld.StartAsync(bundles);
        var agent = await world.AddDeviceAsync("tank-r");
        // Registered at the hub only after the device was provisioned: the device never learned to trust it.
        await world.CliAsync("keys", "register", bundles.RoguePub, "--product", OtaBundles.Product);
        foreach (var bundle in new[] { bundles.Rogue103, bundles.Downgrade090, bundles.Rpi104 })
        {
            await world.CliAsync("firmware", "publish", bundle);
        }

        await world.AllRunAsync("1.0.0", ["tank-r"]);
        foreach (var (version, failure) in new[] { ("1.0.3", "UnknownKey"), ("0.9.0", "DowngradeRefused"), ("1.0.4", "PlatformMismatch") })
        {
            var pushed = await world.PostAsync("/api/v1/devices/tank-r/update", new { firmware = version });
            var id = pushed["id"]!.GetValue<long>();
            JsonNode? attempt = null;
            await Eventually.Until(async () =>
            {
                attempt = (await world.AttemptsAsync("tank-r")).FirstOrDefault(a => a!["id"]!.GetValue<long>() == id);
                return attempt?["state"]?.ToString() == "failed";
            }, $"the refusal of {version} to reach the hub", TimeSpan.FromSeconds(60));

            Assert.StartsWith(failure, attempt!["reason"]!.ToString());
            Assert.Equal(0, attempt["chunksRequested"]!.GetValue<int>());
        }

        // Nothing was staged: the device still runs 1.0.0 from slot a, and slot b holds nothing.
        var device = await world.DeviceAsync("tank-r");
        Assert.Equal("1.0.0", device["firmwareVersion"]!.ToString());
        Assert.False(Directory.Exists(Path.Combine(agent.Root, "slots", "b")));
        Assert.False(File.Exists(Path.Combine(agent.Root, "update", "staging")));
    }
}
