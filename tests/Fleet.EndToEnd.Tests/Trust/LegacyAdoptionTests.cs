using Fleet.Protocol.Signing;
using Fleet.Protocol.Trust;

namespace Fleet.EndToEnd.Tests.Trust;

/// <summary>A tank provisioned before TUF metadata (trusted-keys/ only) moves to TUF over the air, without a reflash:
/// it takes the root the hub delivers only when the product key it already trusts endorses that root.</summary>
[Collection(OtaCollection.Name)]
public sealed class LegacyAdoptionTests(OtaBundles bundles)
{
    [Fact]
    public async Task A_legacy_tank_refuses_an_unendorsed_root_then_adopts_the_root_its_release_key_endorses()
    {
        const string serial = "tank-legacy";
        await using var world = await TrustWorld.StartAsync(bundles, w => [(w.PublicA, TrustScope.Any)]);
        var trustDir = Path.Combine(world.AgentRoot(serial), "provisioning", "trust");

        // Root v1 on the hub is signed by the root key alone: the legacy tank refuses it and keeps its trusted keys.
        var agent = await world.AddDeviceAsync(serial, bundles.V100, legacy: true);
        await world.Session.EventAsync(serial, e => e.Name == "trust" && e.Reason == nameof(TrustFailure.NotProvisioned), "the tank refusing an unendorsed first root");
        Assert.False(Directory.Exists(trustDir));

        // Root v2 also carries a signature by release key A, which the tank trusts in trusted-keys/.
        await world.Trust.PutAsync(world.Hub, "root", world.Trust.Root(2, SigningKey.Load(world.KeyA)));
        await world.Trust.PutAsync(world.Hub, "targets", world.Trust.Targets(2, (world.PublicA, TrustScope.Any)));

        await world.StatusAsync(serial, "1.0.0", root: 2, targets: 2);
        Assert.Equal(1, agent.Starts);
        var rootJson = await File.ReadAllBytesAsync(Path.Combine(trustDir, "root.json"));
        var targetsJson = await File.ReadAllBytesAsync(Path.Combine(trustDir, "targets.json"));
        var stored = TrustedMetadata.Load(rootJson, targetsJson);
        Assert.True(stored.IsValid, stored.Message);
        Assert.Equal(2, stored.Value!.Root.Version);
    }
}
