using System.Globalization;
using System.Text.Json;
using Fleet.Hub.Tests.Broker;
using Fleet.Hub.Tests.Cluster;
using Fleet.Hub.Tests.Firmware;
using Fleet.Protocol.Signing;
using Fleet.Testing;

namespace Fleet.Hub.Tests.Deployments;

/// <summary>A group's maintenance window through the real hub: a bad value is refused with one message naming what is
/// wrong; a valid one is stored in its canonical form and the progress says whether it is open and when it opens; with
/// the window closed nothing is offered (while a group without one, planned in the same pass, is), and once the window is moved over the present the device is offered and
/// commits. (The gate at every time of day, daylight saving and in-flight updates: the planner's
/// MaintenanceWindowTests with a fake clock.)</summary>
public sealed class MaintenanceWindowHubTests
{
    [Fact]
    public async Task A_closed_window_holds_the_offer_and_moving_it_over_now_lets_the_device_update()
    {
        using var dir = new TempDir();
        using var data = new TempDir("fleet-hub-data");
        await using var hub = await RunningHub.StartAsync(data.Path, null, null, new Dictionary<string, string?> { ["FLEET_HUB__ROLLOUTTICKSECONDS"] = "1" });
        var product = await HubApi.CreateProductAsync(hub);
        var key = SigningKey.Generate();
        await TestBundles.RegisterKeyAsync(hub, product, "release", key);
        await TestBundles.UploadAsync(hub, await TestBundles.CreateAsync(dir.Path, product, "1.0.1", key), product);
        var identity = await DeviceIdentity.ProvisionAsync(hub, $"{product}-w", product, ["night"]);
        await using var device = await UpdatingDevice.StartAsync(MqttDevice.Options(hub, identity.Serial, identity.Certificate), identity, product, key.PublicKey, "1.0.0");
        var witnessId = await DeviceIdentity.ProvisionAsync(hub, $"{product}-d", product, ["day"]);
        await using var witness = await UpdatingDevice.StartAsync(MqttDevice.Options(hub, witnessId.Serial, witnessId.Certificate), witnessId, product, key.PublicKey, "1.0.0");
        var group = Unique.Name("window");

        foreach (var (bad, message) in new[] { ("02:00-05:00 Mars/Olympus", "'Mars/Olympus' is not an IANA time zone"), ("2-5 UTC", "is not HH:MM-HH:MM ZONE") })
        {
            var (status, problem) = await HubApi.PostAsync(hub, "/api/v1/deployments", new { name = group, product, firmware = "1.0.1", tags = new[] { "night" }, window = bad });
            Assert.Equal(400, status);
            Assert.Equal("invalid_window", problem.GetProperty("code").GetString());
            Assert.Contains(message, problem.GetProperty("detail").GetString());
        }

        var now = DateTimeOffset.UtcNow;
        string Hm(DateTimeOffset t) => t.ToString("HH:mm", CultureInfo.InvariantCulture);
        var closed = $"{Hm(now.AddHours(6))}-{Hm(now.AddHours(7))} UTC";
        await hub.PostOkAsync("/api/v1/deployments", new { name = group, product, firmware = "1.0.1", tags = new[] { "night" }, window = closed });
        Assert.Equal(closed, (await HubApi.GetAsync(hub, $"/api/v1/deployments/{group}")).GetProperty("window").GetString());
        var progress = await HubApi.GetAsync(hub, $"/api/v1/deployments/{group}/progress");
        Assert.False(progress.GetProperty("windowOpen").GetBoolean());
        var opens = progress.GetProperty("windowOpensAt").GetDateTimeOffset();
        Assert.InRange(opens - now, TimeSpan.FromHours(5.9), TimeSpan.FromHours(6));

        // A second group without a window, created after it: once its device is offered the update, a pass has planned
        // both groups (one pass plans every group in order), and the device behind the closed window got nothing.
        await hub.PostOkAsync("/api/v1/deployments", new { name = Unique.Name("day"), product, firmware = "1.0.1", tags = new[] { "day" } });
        await Eventually.Until(async () => (await HubApi.GetAsync(hub, $"/api/v1/devices/{witness.Serial}/rollout-attempts")).GetArrayLength() > 0,
            "the group without a window to offer its device the update", TimeSpan.FromSeconds(60));
        Assert.Empty((await HubApi.GetAsync(hub, $"/api/v1/devices/{device.Serial}/rollout-attempts")).EnumerateArray());
        Assert.Equal("1.0.0", device.Running.Version);

        var open = $"{Hm(now.AddHours(-3))}-{Hm(now.AddHours(3))} UTC";
        using (var admin = hub.Admin())
        {
            var changed = await admin.PatchAsync($"/api/v1/deployments/{group}", JsonContent(new { window = open }));
            Assert.True(changed.IsSuccessStatusCode, await changed.Content.ReadAsStringAsync());
        }

        Assert.True((await HubApi.GetAsync(hub, $"/api/v1/deployments/{group}/progress")).GetProperty("windowOpen").GetBoolean());
        // Until the hub has recorded both commits: the devices' last reports have then left, so nothing is in flight when they stop.
        foreach (var serial in new[] { device.Serial, witness.Serial })
        {
            await Eventually.Until(async () => (await HubApi.GetAsync(hub, $"/api/v1/devices/{serial}/rollout-attempts")).EnumerateArray()
                .Any(a => a.GetProperty("state").GetString() == "committed"), $"{serial} to update", TimeSpan.FromSeconds(60));
        }

        Assert.Equal("1.0.1", device.Running.Version);
    }

    private static StringContent JsonContent(object body) => new(JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json");
}
