using MQTTnet;
using Fleet.Hub.Tests.Broker;
using Fleet.Hub.Tests.Firmware;
using Fleet.Protocol.Signing;
using Fleet.Testing;

namespace Fleet.Hub.Tests;

public sealed class RestartTests
{
    [Fact]
    public async Task Restarting_the_hub_keeps_devices_firmware_groups_and_tokens_and_the_device_certificate_still_connects()
    {
        using var dir = new TempDir();
        using var data = new TempDir("fleet-hub-data");
        var hub = await RunningHub.StartAsync(data.Path);
        try
        {
            var viewer = await hub.CreateUserAsync("viewer", "view");
            var product = await HubApi.CreateProductAsync(hub);
            var key = SigningKey.Generate();
            await TestBundles.RegisterKeyAsync(hub, product, "release", key);
            var (_, firmware) = await TestBundles.UploadAsync(hub, await TestBundles.CreateAsync(dir.Path, product, "1.0.0", key), product);
            await hub.PostOkAsync("/api/v1/deployments", new { name = "production", product, firmware = "1.0.0", tags = new[] { "field" } });
            var device = await DeviceIdentity.ProvisionAsync(hub, "tank-0001", product, ["field"]);
            using (var first = await MqttDevice.ConnectAsync(hub, device))
            {
                await first.DisconnectAsync();
            }

            var caBefore = await File.ReadAllTextAsync(Path.Combine(data.Path, "ca.crt"));
            hub = await hub.RestartAsync();

            Assert.DoesNotContain("Admin API token", hub.Process.StandardOutput);
            Assert.Equal(caBefore, await File.ReadAllTextAsync(Path.Combine(data.Path, "ca.crt")));
            Assert.Equal("viewer", (await HubApi.GetAsync(hub, "/api/v1/whoami", viewer)).GetProperty("name").GetString());
            var stored = Assert.Single((await HubApi.GetAsync(hub, $"/api/v1/firmware?product={product}", viewer)).EnumerateArray());
            Assert.Equal(firmware.GetProperty("uuid").GetString(), stored.GetProperty("uuid").GetString());
            Assert.Equal("1.0.0", (await HubApi.GetAsync(hub, "/api/v1/deployments/production", viewer)).GetProperty("firmwareVersion").GetString());
            var members = await HubApi.GetAsync(hub, "/api/v1/devices?group=production", viewer);
            Assert.Equal("tank-0001", Assert.Single(members.EnumerateArray()).GetProperty("serial").GetString());

            using var again = await MqttDevice.ConnectAsync(hub, device);
            Assert.True(again.IsConnected);
        }
        finally
        {
            await hub.DisposeAsync();
        }
    }
}
