using Fleet.Protocol.Messages;
using Fleet.Protocol.Signing;
using Fleet.Protocol.Trust;
using Fleet.Testing;

namespace Fleet.EndToEnd.Tests.Trust;

/// <summary>The running agent's anti-rollback rules with trust metadata, offers put into its session through the
/// real broker: another build of the installed version (<c>1.2.0+b</c> over <c>1.2.0+a</c>) and an older release
/// whose downgrade permit has expired are refused before download; the same older release with a permit that is
/// still valid is accepted and asks for chunks, so the refusals are the rules at work and nothing else.</summary>
[Collection(OtaCollection.Name)]
public sealed class AgentRollbackTests(OtaBundles bundles)
{
    private const string Serial = "tank-hw";

    [Fact]
    public async Task A_same_precedence_build_and_an_old_release_with_an_expired_permit_are_refused_by_the_running_agent()
    {
        await using var world = await TrustWorld.StartAsync(bundles, w => [(w.PublicA, TrustScope.Any)]);
        // Installed: 1.2.0+a, a real agent build (v1.0.0's payload) signed by A.
        var installed = await world.BundleAsync("1.2.0+a", world.KeyA, runnableFrom: bundles.V100);
        var sibling = await world.BundleAsync("1.2.0+b", world.KeyA);
        var older = await world.BundleAsync("1.1.0", world.KeyA);
        await world.AddDeviceAsync(Serial, installed);
        await world.StatusAsync(Serial, "1.2.0+a", root: 1, targets: 1);
        var a = SigningKey.Load(world.KeyA);
        var installedUuid = TrustWorld.OfferOf(installed).Uuid;

        var s = TrustWorld.OfferOf(sibling);
        Assert.NotEqual(installedUuid, s.Uuid);
        var (sameVersion, _) = await world.Session.OfferAsync(Serial, s.Offer);
        Assert.False(sameVersion.Ok, $"the agent accepted {s.Version} over the installed 1.2.0+a: {sameVersion}");
        Assert.Equal("DowngradeRefused", sameVersion.Error);
        Assert.Contains("1.2.0+a", sameVersion.Detail);

        var o = TrustWorld.OfferOf(older);
        var (noPermit, _) = await world.Session.OfferAsync(Serial, o.Offer);
        Assert.False(noPermit.Ok, $"the agent accepted {o.Version} without a permit: {noPermit}");
        Assert.Equal("DowngradeRefused", noPermit.Error);

        byte[] Permit(DateTimeOffset expires) =>
            SignedEnvelope.Sign(new DowngradePermit(OtaBundles.Product, o.Uuid, o.Version, ["1.2.0+a"], expires).ToSigned(), [a]);

        var expired = TrustWorld.OfferOf(older, permit: Permit(DateTimeOffset.UtcNow.AddHours(-1)));
        var (late, lateAt) = await world.Session.OfferAsync(Serial, expired.Offer);
        Assert.False(late.Ok, $"the agent accepted {o.Version} with an expired permit: {late}");
        Assert.Equal(nameof(TrustFailure.Expired), late.Error);
        Assert.Contains("expired", late.Detail);
        await world.Session.EventAsync(Serial, e => e.Name == UpdateStages.Failed && e.FirmwareUuid == o.Uuid
            && e.Reason?.StartsWith(nameof(TrustFailure.Expired), StringComparison.Ordinal) == true, "a 'failed' event naming the expired permit");

        // The same release with a permit that has not expired passes every rule and asks for chunks.
        var valid = TrustWorld.OfferOf(older, permit: Permit(DateTimeOffset.UtcNow.AddDays(1)));
        var (permitted, _) = await world.Session.OfferAsync(Serial, valid.Offer);
        Assert.True(permitted.Ok, $"the permitted downgrade was refused: {permitted}");
        await Eventually.Until(() => world.Session.ChunkRequests(Serial, o.Uuid, after: lateAt).Count > 0, $"a chunk request for the permitted {o.Version}\n{world.Session.Describe(Serial)}");
        Assert.True((await world.Session.CancelAsync(Serial)).Response.Ok);

        // Nothing was asked for before the permitted offer: not the sibling build, not the older release.
        Assert.Empty(world.Session.ChunkRequests(Serial, s.Uuid));
        Assert.DoesNotContain(world.Session.ChunkRequests(Serial, o.Uuid), m => m.Seq <= lateAt);
        Assert.False(Directory.Exists(Path.Combine(world.AgentRoot(Serial), "slots", "b")));
    }
}
