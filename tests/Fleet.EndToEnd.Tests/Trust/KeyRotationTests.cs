using Fleet.Protocol.Messages;
using Fleet.Protocol.Trust;
using Fleet.Testing;

namespace Fleet.EndToEnd.Tests.Trust;

/// <summary>A firmware-signing key rotated in the product's TUF targets while the agent runs: the hub delivers the
/// new targets over MQTT, the agent reports them, installs what the new key signed, and refuses what the removed key
/// signed, whether the hub is asked to ship it or the offer reaches the device's session directly. No reflash.</summary>
[Collection(OtaCollection.Name)]
public sealed class KeyRotationTests(OtaBundles bundles)
{
    private const string Serial = "tank-rot";

    [Fact]
    public async Task Targets_rotating_key_A_to_key_B_reach_the_running_agent_which_installs_B_firmware_and_refuses_A_firmware()
    {
        await using var world = await TrustWorld.StartAsync(bundles, w => [(w.PublicA, TrustScope.Any)]);
        var (keyB, publicB) = await world.CreateKeyAsync("signer-b");
        // Key A signed v1.0.1 (a real agent build); B signs the same build as 1.1.0.
        await world.CliAsync("firmware", "publish", bundles.V101);
        var b110 = await world.BundleAsync("1.1.0", keyB, runnableFrom: bundles.V101);
        var agent = await world.AddDeviceAsync(Serial, bundles.V100);
        await world.StatusAsync(Serial, "1.0.0", root: 1, targets: 1);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(world.AgentRoot(Serial), "provisioning", "trusted-keys"), "*.pub"));

        // Before the rotation the hub does not know B at all.
        var early = await Assert.ThrowsAsync<InvalidOperationException>(() => world.CliAsync("firmware", "publish", b110));
        Assert.Contains("UnknownKey", early.Message);

        // The rotation: targets v2 lists B and no longer A, uploaded while the agent runs.
        await world.Trust.PutAsync(world.Hub, "targets", world.Trust.Targets(2, (publicB, TrustScope.Any)));
        await world.StatusAsync(Serial, "1.0.0", root: 1, targets: 2);
        Assert.Equal(1, agent.Starts); // taken by the running agent: no restart, no reflash
        var trustDir = Path.Combine(world.AgentRoot(Serial), "provisioning", "trust");
        var rootBytes = await File.ReadAllBytesAsync(Path.Combine(trustDir, "root.json"));
        var targetsBytes = await File.ReadAllBytesAsync(Path.Combine(trustDir, "targets.json"));
        var stored = TrustedMetadata.Load(rootBytes, targetsBytes);
        Assert.True(stored.IsValid, stored.Message);
        Assert.Equal(2, stored.Value!.Targets.Version);
        Assert.Equal([publicB.KeyId], stored.Value.Targets.SigningKeys().Select(k => k.KeyId));

        // The hub refuses to ship A's firmware to the device.
        var (status, refusal) = await world.PostAsync($"/api/v1/devices/{Serial}/update", new { firmware = "1.0.1" });
        Assert.Equal(403, status);
        Assert.Equal("key_not_trusted", refusal!["code"]?.ToString());

        // Nor will it release it to a deployment group.
        var release = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            world.CliAsync("deployment", "create", "tanks", "--product", OtaBundles.Product, "--firmware", "1.0.1"));
        Assert.Contains("UnknownSigner", release.Message);

        // ... and the agent refuses it too when the offer reaches its session anyway, before any download.
        var a101 = TrustWorld.OfferOf(bundles.V101);
        var beforeOffer = world.Session.Last;
        var (answer, at) = await world.Session.OfferAsync(Serial, a101.Offer);
        Assert.False(answer.Ok, $"the agent accepted firmware signed by the removed key A: {answer}");
        Assert.Equal("UnknownKey", answer.Error);
        await world.Session.StatusAfterAsync(Serial, at);
        Assert.Empty(world.Session.ChunkRequests(Serial, a101.Uuid));
        await world.Session.EventAsync(Serial, e => e.Kind == EventKinds.Update && e.Name == UpdateStages.Failed && e.Reason?.StartsWith("UnknownKey", StringComparison.Ordinal) == true,
            "a 'failed' update event naming UnknownKey", after: beforeOffer);

        // B's firmware is uploaded, pushed by the hub, downloaded, installed and committed.
        await world.CliAsync("firmware", "publish", b110);
        var (pushed, attempt) = await world.PostAsync($"/api/v1/devices/{Serial}/update", new { firmware = "1.1.0" });
        Assert.True(pushed is 200 or 201 or 202, $"push of 1.1.0: {pushed} {attempt}");
        var b = TrustWorld.OfferOf(b110);
        try
        {
            await world.StatusAsync(Serial, "1.1.0", root: 1, targets: 2, TimeSpan.FromSeconds(240));
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}\n{world.Session.Describe(Serial)}", ex);
        }

        Assert.NotEmpty(world.Session.ChunkRequests(Serial, b.Uuid));
        await world.Session.EventAsync(Serial, e => e.Name == UpdateStages.Committed && e.FirmwareUuid == b.Uuid, "the commit of 1.1.0");
        var id = attempt!["id"]!.GetValue<long>();
        await Eventually.Until(async () => (await world.GetAsync($"/api/v1/devices/{Serial}/rollout-attempts")).AsArray()
            .Any(x => x!["id"]!.GetValue<long>() == id && x["state"]?.ToString() == "committed"), "the hub to record the commit of 1.1.0");
    }
}
