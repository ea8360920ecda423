using Fleet.Protocol.Messages;
using Fleet.Protocol.Trust;
using Fleet.Testing;

namespace Fleet.EndToEnd.Tests.Trust;

/// <summary>Offers the hub would never send, put straight into the running agent's MQTT session through the real
/// broker with the hub's broker certificate: firmware signed by a trusted key whose scope does not cover the device,
/// and, once the targets drop key A, firmware signed by A. The agent refuses each before downloading (no
/// <c>fw/req</c>), names the refusal in its answer and its <c>failed</c> event; an in-scope offer sent the same way
/// is accepted and does ask for chunks, so the silence of the refused ones is observed, not assumed.</summary>
[Collection(OtaCollection.Name)]
public sealed class ScopeInjectionTests(OtaBundles bundles)
{
    private const string Serial = "tank-scope";

    [Fact]
    public async Task Offers_signed_outside_the_devices_scope_or_by_a_removed_key_are_refused_by_the_agent_before_download()
    {
        // Targets v1 lists A only; v2 adds a key for another device and one for a group this device is not in.
        await using var world = await TrustWorld.StartAsync(bundles, w => [(w.PublicA, TrustScope.Any)]);
        var someoneElse = await world.CreateKeyAsync("signer-tank-else");
        var otherGroup = await world.CreateKeyAsync("signer-group-other");
        var b = await world.CreateKeyAsync("signer-b");
        var v1 = new[] { (world.PublicA, TrustScope.Any), (someoneElse.Public, "device:tank-else"), (otherGroup.Public, "group:other") };
        await world.Trust.PutAsync(world.Hub, "targets", world.Trust.Targets(2, v1));

        var forElse = await world.BundleAsync("1.3.0", someoneElse.KeyPath);
        var forOther = await world.BundleAsync("1.4.0", otherGroup.KeyPath);
        var control = await world.BundleAsync("1.0.5", world.KeyA);
        await world.AddDeviceAsync(Serial, bundles.V100);
        await world.StatusAsync(Serial, "1.0.0", root: 1, targets: 2);

        // The hub holds the key-for-tank-else release (the key is trusted) but will not ship it here.
        await world.CliAsync("firmware", "publish", forElse);
        var (status, refusal) = await world.PostAsync($"/api/v1/devices/{Serial}/update", new { firmware = "1.3.0" });
        Assert.Equal(403, status);
        Assert.Equal("key_not_allowed_for_device", refusal!["code"]?.ToString());

        var refused = new List<(string Uuid, string Why)>();
        foreach (var (bundle, group, expectInMessage) in new[]
                 {
                     (forElse, (string?)null, "device-tank-else"),
                     (forOther, (string?)null, "group-other"),
                     // The offer claims to come from group 'other', which the hub never told the device it is in.
                     (forOther, "other", "group 'other'"),
                 })
        {
            var o = TrustWorld.OfferOf(bundle, group);
            var (answer, _) = await world.Session.OfferAsync(Serial, o.Offer);
            Assert.False(answer.Ok, $"the agent accepted {o.Version} (group {group ?? "none"}): {answer}");
            Assert.Equal(nameof(TrustFailure.OutOfScope), answer.Error);
            Assert.Contains(expectInMessage, answer.Detail);
            refused.Add((o.Uuid, answer.Detail!));
        }

        // The same path carries an offer the device's scope does cover: accepted, and it asks for chunks.
        var c = TrustWorld.OfferOf(control);
        var (accepted, acceptedAt) = await world.Session.OfferAsync(Serial, c.Offer);
        Assert.True(accepted.Ok, $"the in-scope offer was refused: {accepted}");
        await Eventually.Until(() => world.Session.ChunkRequests(Serial, c.Uuid).Count > 0, $"a chunk request for the in-scope {c.Version}\n{world.Session.Describe(Serial)}");
        Assert.True((await world.Session.CancelAsync(Serial)).Response.Ok);
        foreach (var (uuid, why) in refused)
        {
            Assert.Empty(world.Session.ChunkRequests(Serial, uuid));
            await world.Session.EventAsync(Serial, e => e.Name == UpdateStages.Failed && e.Reason is { } r
                && r.StartsWith(nameof(TrustFailure.OutOfScope), StringComparison.Ordinal) && r.Contains(why, StringComparison.Ordinal), $"a 'failed' event naming {why}");
        }

        // Key A leaves the targets (B replaces it): an A-signed offer is then refused as unknown, before download.
        await world.Trust.PutAsync(world.Hub, "targets", world.Trust.Targets(3, (b.Public, TrustScope.Any), (someoneElse.Public, "device:tank-else"), (otherGroup.Public, "group:other")));
        await world.StatusAsync(Serial, "1.0.0", root: 1, targets: 3);
        var since = world.Session.Last;
        var (revoked, revokedAt) = await world.Session.OfferAsync(Serial, c.Offer);
        Assert.False(revoked.Ok, $"the agent accepted firmware signed by the removed key A: {revoked}");
        Assert.Equal("UnknownKey", revoked.Error);
        await world.Session.StatusAfterAsync(Serial, revokedAt);
        Assert.Empty(world.Session.ChunkRequests(Serial, c.Uuid, after: since));
        await world.Session.EventAsync(Serial, e => e.Name == UpdateStages.Failed && e.Reason?.StartsWith("UnknownKey", StringComparison.Ordinal) == true,
            "a 'failed' event naming UnknownKey", after: since);
        Assert.True(acceptedAt < since);

        // Nothing reached a slot: the device still runs 1.0.0 from slot a.
        Assert.False(Directory.Exists(Path.Combine(world.AgentRoot(Serial), "slots", "b")));
    }
}
