using Fleet.Protocol.Messages;
using Fleet.Protocol.Signing;
using Fleet.Protocol.Trust;
using Semver;

namespace Fleet.Device.Update.Tests;

/// <summary>With trust metadata, a device installs firmware only from a key whose scope covers it, takes newer
/// metadata only when it verifies, and never goes below the last release it committed without a signed permit.</summary>
public sealed class TrustedUpdateTests : IDisposable
{
    private const string Serial = "tank-0001";
    private readonly UpdateFixture _f = new();
    private readonly SigningKey _root = SigningKey.Generate();
    private readonly SigningKey _online = SigningKey.Generate();
    private readonly SigningKey _dev = SigningKey.Generate();
    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;

    public void Dispose() => _f.Dispose();

    private UpdateEngine Engine(string version = "1.0.0") =>
        new(_f.Root, new UpdateIdentity("algae-tank", "sim", "x64", SemVersion.Parse(version, SemVersionStyles.Strict)), () => _f.Running, Serial);

    private byte[] Root(long version = 1, SigningKey? key = null, params SigningKey[] signers)
    {
        var k = key ?? _root;
        return SignedEnvelope.Sign(TrustDocuments.Root("algae-tank", version, _now.AddYears(1), new RoleSpec([k.PublicKey], 1), new RoleSpec([k.PublicKey], 1),
            new RoleSpec([_online.PublicKey], 1), new RoleSpec([_online.PublicKey], 1)), signers.Length == 0 ? [k] : signers);
    }

    private byte[] Targets(long version, DateTimeOffset? expires = null, SigningKey? signer = null, params (string Scope, SigningKey Key)[] delegations) =>
        SignedEnvelope.Sign(TrustDocuments.Targets(version, expires ?? _now.AddDays(30), delegations.Select(d =>
        {
            Assert.True(TrustScope.TryParse(d.Scope, out var scope, out _));
            return new DelegationSpec(scope, [d.Key.PublicKey]);
        })), [signer ?? _root]);

    private static TrustUpdate Update(IEnumerable<byte[]> roots, byte[] targets, string[]? tags = null, string[]? groups = null) =>
        new([.. roots.Select(Convert.ToBase64String)], Convert.ToBase64String(targets), tags ?? [], groups ?? []);

    private void Trust(params (string Scope, SigningKey Key)[] delegations) =>
        Assert.True(new DeviceTrust(_f.Root).Provision(Root(), Targets(1, null, null, delegations), new DeviceMembership(["field"], ["beta"])).IsValid);

    private static UpdateOffer From(string bundle, string? group = null, byte[]? permit = null) =>
        UpdateFixture.OfferFor(bundle) with { Group = group, PermitBase64 = permit is null ? null : Convert.ToBase64String(permit) };

    [Theory]
    [InlineData("group:beta", "beta", true)]
    [InlineData("group:test", "beta", false)]
    [InlineData("tag:field", null, true)]
    [InlineData("tag:lab", null, false)]
    [InlineData("device:tank-0001", null, true)]
    [InlineData("device:tank-0002", null, false)]
    public async Task A_scoped_key_reaches_only_the_devices_its_scope_covers(string scope, string? group, bool accepted)
    {
        await _f.InstallBaseAsync();
        Trust((scope, _dev));
        var bundle = await _f.BuildAsync("1.0.1", _dev);

        var outcome = Engine().Offer(From(bundle, group));

        Assert.Equal(accepted, outcome.Accepted);
        if (!accepted)
        {
            Assert.Equal(nameof(TrustFailure.OutOfScope), outcome.Failure);
            Assert.Contains(_dev.KeyId, outcome.Message, StringComparison.Ordinal);
            Assert.Contains(Serial, outcome.Message, StringComparison.Ordinal);
            Assert.NotEqual(UpdatePhase.Offered, Engine().Journal.Read().Phase);
        }
    }

    [Fact]
    public async Task An_offer_from_a_group_the_device_is_not_in_is_refused()
    {
        await _f.InstallBaseAsync();
        Trust(("group:test", _dev));
        var bundle = await _f.BuildAsync("1.0.1", _dev);

        var outcome = Engine().Offer(From(bundle, "test"));

        Assert.Equal(nameof(TrustFailure.OutOfScope), outcome.Failure);
        Assert.Contains("not in", outcome.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rotated_key_works_and_the_revoked_one_stops_without_a_reflash()
    {
        await _f.InstallBaseAsync();
        var next = SigningKey.Generate();
        Trust(("any", _dev));
        var old = await _f.BuildAsync("1.0.1", _dev);
        var fresh = await _f.BuildAsync("1.0.2", next);
        Assert.True(Engine().Offer(From(old)).Accepted);
        Engine().Cancel();

        var rotated = new DeviceTrust(_f.Root).Apply(Update([Root()], Targets(2, null, null, ("any", next))), _now);
        Assert.True(rotated.IsValid, rotated.Message);

        Assert.Equal("UnknownKey", Engine().Offer(From(old)).Failure);
        Assert.True(Engine().Offer(From(fresh)).Accepted);
    }

    [Theory]
    [InlineData("older-targets", TrustFailure.VersionRollback)]
    [InlineData("foreign-signer", TrustFailure.ThresholdNotMet)]
    [InlineData("expired", TrustFailure.Expired)]
    [InlineData("root-skips", TrustFailure.VersionRollback)]
    public void Trust_that_does_not_verify_is_refused_and_the_store_is_untouched(string attack, TrustFailure expected)
    {
        var store = new DeviceTrust(_f.Root);
        Assert.True(store.Provision(Root(), Targets(2, null, null, ("any", _dev)), DeviceMembership.None).IsValid);
        var before = Directory.GetFiles(_f.Root.TrustDir).Order().Select(File.ReadAllBytes).ToList();
        var newRoot = SigningKey.Generate();
        var update = attack switch
        {
            "older-targets" => Update([Root()], Targets(1, null, null, ("any", _dev))),
            "foreign-signer" => Update([Root()], Targets(3, null, _dev, ("any", _dev))),
            "expired" => Update([Root()], Targets(3, _now.AddMinutes(-1), null, ("any", _dev))),
            _ => Update([Root(), Root(3, newRoot, _root, newRoot)], Targets(3, null, newRoot, ("any", _dev))),
        };

        var result = store.Apply(update, _now);

        Assert.Equal(expected, result.Failure);
        Assert.Equal(before, Directory.GetFiles(_f.Root.TrustDir).Order().Select(File.ReadAllBytes).ToList());
    }

    [Fact]
    public async Task A_legacy_device_refuses_a_first_root_its_trusted_keys_did_not_endorse_and_keeps_them()
    {
        await _f.InstallBaseAsync();
        var bundle = await _f.BuildAsync("1.0.1", _f.Key);

        // A hub (or whoever holds an admin token) offering a root of its own choosing: refused, nothing written.
        var attacker = SigningKey.Generate();
        var overTheAir = new DeviceTrust(_f.Root).Apply(Update([Root(1, attacker)], Targets(1, null, attacker, ("any", attacker))), _now, "algae-tank");
        Assert.Equal(TrustFailure.NotProvisioned, overTheAir.Failure);
        Assert.False(Directory.Exists(_f.Root.TrustDir));
        Assert.True(Engine().Offer(From(bundle)).Accepted);
        Engine().Cancel();

        Trust(("any", _dev));

        Assert.Equal("UnknownKey", Engine().Offer(From(bundle)).Failure);
    }

    [Fact]
    public async Task A_legacy_device_adopts_over_the_air_the_first_root_its_trusted_key_endorses()
    {
        await _f.InstallBaseAsync();
        var legacyBundle = await _f.BuildAsync("1.0.1", _f.Key);
        var devBundle = await _f.BuildAsync("1.0.2", _dev);
        var store = new DeviceTrust(_f.Root);

        // v1 was signed before the release key endorsed anything; v2 (rotate-root --legacy-key) carries its signature.
        var update = Update([Root(), Root(2, _root, _root, _f.Key)], Targets(1, null, null, ("any", _dev)), ["field"], ["beta"]);
        var otherProduct = store.Apply(update, _now, "other-tank");
        Assert.Equal(TrustFailure.NotProvisioned, otherProduct.Failure);
        Assert.False(Directory.Exists(_f.Root.TrustDir));
        var adopted = store.Apply(update, _now, "algae-tank");

        Assert.True(adopted.IsValid, adopted.Message);
        Assert.Equal(2, adopted.Value!.Root.Version);
        Assert.Empty(store.Membership().Tags);
        Assert.Equal(["beta"], store.Membership().Groups);
        Assert.Equal("UnknownKey", Engine().Offer(From(legacyBundle)).Failure);
        Assert.True(Engine().Offer(From(devBundle)).Accepted);
    }

    [Fact]
    public void A_legacy_device_refuses_an_endorsed_root_whose_targets_it_does_not_sign_and_writes_nothing()
    {
        var attacker = SigningKey.Generate();

        var result = new DeviceTrust(_f.Root).Apply(Update([Root(1, _root, _root, _f.Key)], Targets(1, null, attacker, ("any", attacker))), _now, "algae-tank");

        Assert.Equal(TrustFailure.ThresholdNotMet, result.Failure);
        Assert.False(Directory.Exists(_f.Root.TrustDir));
    }

    [Fact]
    public void A_damaged_store_is_never_re_anchored_to_the_roots_the_hub_sends()
    {
        var store = new DeviceTrust(_f.Root);
        Assert.True(store.Provision(Root(), Targets(1, null, null, ("any", _dev)), DeviceMembership.None).IsValid);
        var targets = Path.Combine(_f.Root.TrustDir, "targets.json");
        var bytes = File.ReadAllBytes(targets);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(targets, bytes);
        var attacker = SigningKey.Generate();

        var result = store.Apply(Update([Root(1, attacker)], Targets(2, null, attacker, ("any", attacker))), _now);

        Assert.Equal(TrustFailure.NotProvisioned, result.Failure);
        Assert.Equal(bytes, File.ReadAllBytes(targets));
    }

    [Fact]
    public void The_hub_can_change_the_devices_groups_but_not_its_provisioned_tags()
    {
        var store = new DeviceTrust(_f.Root);
        Assert.True(store.Provision(Root(), Targets(1, null, null, ("tag:lab", _dev)), new DeviceMembership(["field"], [])).IsValid);

        Assert.True(store.Apply(Update([Root()], Targets(2, null, null, ("tag:lab", _dev)), ["lab"], ["beta"]), _now).IsValid);

        Assert.Equal(["field"], store.Membership().Tags);
        Assert.Equal(["beta"], store.Membership().Groups);
    }

    [Fact]
    public async Task Equal_precedence_with_another_build_is_refused()
    {
        await _f.InstallBaseAsync("1.2.0+a");
        Trust(("any", _f.Key));
        var other = await _f.BuildAsync("1.2.0+b", _f.Key);

        var outcome = Engine("1.2.0+a").Offer(From(other));

        Assert.Equal("DowngradeRefused", outcome.Failure);
        Assert.Contains("another release", outcome.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("none", "DowngradeRefused")]
    [InlineData("expired", "Expired")]
    [InlineData("other-uuid", "PermitMismatch")]
    [InlineData("other-installed", "PermitMismatch")]
    [InlineData("out-of-scope-signer", "OutOfScope")]
    [InlineData("valid", null)]
    public async Task A_downgrade_needs_a_permit_that_names_it_is_in_scope_and_unexpired(string permit, string? failure)
    {
        await _f.InstallBaseAsync("1.3.0");
        var lab = SigningKey.Generate();
        Trust(("any", _f.Key), ("tag:lab", lab));
        var old = await _f.BuildAsync("1.2.0", _f.Key);
        var uuid = UpdateFixture.OfferFor(old) is var o ? Engine("1.3.0").Offer(o).Manifest!.Id : null;
        Engine("1.3.0").Cancel();
        byte[] Permit(SigningKey key, string forUuid, string replaces, int days) =>
            SignedEnvelope.Sign(new DowngradePermit("algae-tank", forUuid, "1.2.0", [replaces], _now.AddDays(days)).ToSigned(), [key]);
        var bytes = permit switch
        {
            "none" => null,
            "expired" => Permit(_f.Key, uuid!, "1.3.0", -1),
            "other-uuid" => Permit(_f.Key, Guid.NewGuid().ToString("D"), "1.3.0", 7),
            "other-installed" => Permit(_f.Key, uuid!, "1.3.1", 7),
            "out-of-scope-signer" => Permit(lab, uuid!, "1.3.0", 7),
            _ => Permit(_f.Key, uuid!, "1.3.0", 7),
        };

        var outcome = Engine("1.3.0").Offer(From(old, permit: bytes));

        Assert.Equal(failure, outcome.Failure);
        Assert.Equal(failure is null, outcome.Accepted);
    }

    [Fact]
    public async Task After_an_automatic_rollback_the_high_water_mark_still_refuses_lower_versions()
    {
        await _f.InstallBaseAsync("1.1.0");
        Trust(("any", _f.Key));
        var engine = Engine("1.1.0");
        var next = await _f.BuildAsync("1.2.0", _f.Key);
        var offer = engine.Offer(From(next));
        Assert.True(offer.Accepted, offer.Message);
        await engine.DownloadAsync(new UpdateFixture.PayloadSource(UpdateFixture.Read(next).Payload, offer.Manifest!), null, CancellationToken.None);
        await engine.StageAsync(CancellationToken.None);
        engine.Activate();
        _f.Running = Slot.B;
        Engine("1.2.0").Commit();
        Assert.Contains("1.2.0", await File.ReadAllTextAsync(_f.Root.HighWater));

        // The next trial fails and fleet-boot reverts it; nothing new was committed.
        var third = await _f.BuildAsync("1.3.0", _f.Key);
        engine = Engine("1.2.0");
        offer = engine.Offer(From(third));
        await engine.DownloadAsync(new UpdateFixture.PayloadSource(UpdateFixture.Read(third).Payload, offer.Manifest!), null, CancellationToken.None);
        await engine.StageAsync(CancellationToken.None);
        engine.Activate();
        await File.WriteAllTextAsync(_f.Root.RollbackRecord, "{\"slot\":\"a\",\"reason\":\"trial failed\"}");
        Assert.Equal(UpdateStages.RolledBack, Engine("1.2.0").OnStartup().Report);

        var older = await _f.BuildAsync("1.1.5", _f.Key);
        var refused = Engine("1.2.0").Offer(From(older));

        Assert.Equal("DowngradeRefused", refused.Failure);
        Assert.Contains("1.2.0", refused.Message, StringComparison.Ordinal);
    }
}
