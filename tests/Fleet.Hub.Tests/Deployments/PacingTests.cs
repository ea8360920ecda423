using System.Text.Json;
using Fleet.Hub.Tests.Broker;
using Fleet.Hub.Tests.Cluster;
using Fleet.Hub.Tests.Firmware;
using Fleet.Protocol;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Signing;
using Fleet.Testing;
using MQTTnet;
using MQTTnet.Protocol;

namespace Fleet.Hub.Tests.Deployments;

/// <summary>The orchestrator's pacing against a real hub: an offer nobody answers times out, a device that keeps failing
/// goes to the penalty box (the rest of the group goes on), and an operator can let it out again.</summary>
public sealed class PacingTests
{
    [Fact]
    public async Task A_device_that_never_answers_times_out_twice_goes_to_the_penalty_box_and_is_offered_again_once_cleared()
    {
        using var dir = new TempDir();
        using var data = new TempDir("fleet-hub-data");
        await using var hub = await RunningHub.StartAsync(data.Path, null, null, new Dictionary<string, string?>
        {
            ["FLEET_HUB__ROLLOUTTICKSECONDS"] = "1",
            ["FLEET_HUB__ROLLOUTINFLIGHTTIMEOUTSECONDS"] = "10",
        });
        var product = await HubApi.CreateProductAsync(hub);
        var key = SigningKey.Generate();
        await TestBundles.RegisterKeyAsync(hub, product, "release", key);
        await TestBundles.UploadAsync(hub, await TestBundles.CreateAsync(dir.Path, product, "1.0.1", key), product);

        // One device that updates, so the group's failure threshold (100 %) is never reached, and one that is online
        // on 1.0.0 but never subscribed to its commands: every offer to it goes unanswered.
        var good = await DeviceIdentity.ProvisionAsync(hub, $"{product}-good", product);
        await using var updating = await UpdatingDevice.StartAsync(MqttDevice.Options(hub, good.Serial, good.Certificate), good, product, key.PublicKey, "1.0.0");
        var mute = await DeviceIdentity.ProvisionAsync(hub, $"{product}-mute", product);
        using var silent = await MqttDevice.ConnectAsync(hub, mute);
        var status = new StatusMessage(true, new FirmwareIdentity(Guid.NewGuid().ToString("D"), "1.0.0", product, "sim", "x64"), "a", "growing", 1, DateTimeOffset.UtcNow);
        await silent.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(Topics.Status(mute.Serial)).WithPayload(FleetJson.Serialize(status))
            .WithRetainFlag().WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());

        var group = Unique.Name("pacing");
        await hub.PostOkAsync("/api/v1/deployments", new { name = group, product, firmware = "1.0.1", maxConcurrent = 2, failureThresholdPercent = 100 });

        await Eventually.Until(async () => States(await AttemptsAsync(hub, mute.Serial)).Count(s => s == "timed_out") >= 2
            && (await ProgressAsync(hub, group)).GetProperty("counts").GetProperty("penaltyBox").GetInt32() == 1,
            "two unanswered offers to time out and the device to be put in the penalty box", TimeSpan.FromSeconds(90));

        Assert.Equal(1, updating.CommitsOf(updating.Running.Uuid));
        var progress = await ProgressAsync(hub, group);
        Assert.False(progress.GetProperty("paused").GetBoolean(), "one flaky device must not pause the group");
        Assert.Equal(1, progress.GetProperty("counts").GetProperty("committed").GetInt32());
        var audit = await HubApi.GetAsync(hub, $"/api/v1/audit?subject=device:{mute.Serial}");
        Assert.Contains(audit.EnumerateArray(), e => e.GetProperty("action").GetString() == "device.penalty_box");

        // While boxed it is left alone, however often the orchestrator runs.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(2, (await AttemptsAsync(hub, mute.Serial)).Count);

        using (var client = hub.Admin())
        {
            var cleared = await client.DeleteAsync($"/api/v1/devices/{mute.Serial}/penalty-box");
            Assert.True(cleared.IsSuccessStatusCode, $"clear the penalty box: {(int)cleared.StatusCode} {await cleared.Content.ReadAsStringAsync()}");
        }

        await Eventually.Until(async () => States(await AttemptsAsync(hub, mute.Serial)).Contains("in_flight"),
            "a fresh offer to the device once it is out of the penalty box", TimeSpan.FromSeconds(30));
    }

    private static async Task<List<JsonElement>> AttemptsAsync(RunningHub hub, string serial) =>
        [.. (await HubApi.GetAsync(hub, $"/api/v1/devices/{serial}/rollout-attempts")).EnumerateArray()];

    private static List<string?> States(List<JsonElement> attempts) => [.. attempts.Select(a => a.GetProperty("state").GetString())];

    private static Task<JsonElement> ProgressAsync(RunningHub hub, string group) => HubApi.GetAsync(hub, $"/api/v1/deployments/{group}/progress");
}
