using Fleet.Protocol.Signing;
using Fleet.Protocol.Trust;

namespace Fleet.Protocol.Tests.Trust;

/// <summary>TUF 5.3.11: a root that rotates the targets keys discards the trusted targets, so a version pushed to the
/// limit with a compromised targets key cannot lock devices out after the owners rotate that key away.</summary>
public sealed class FastForwardRecoveryTests
{
    private readonly TrustSample _s = new();
    private readonly SigningKey _targetsKey = TrustSample.Key(20);
    private readonly SigningKey _newTargetsKey = TrustSample.Key(21);

    private byte[] Root(long version, SigningKey targetsKey, SigningKey? secondTargetsKey = null) =>
        SignedEnvelope.Sign(
            TrustDocuments.Root(_s.Product, version, TrustSample.Now.AddYears(1), new RoleSpec([_s.RootKey.PublicKey], 1),
                new RoleSpec(secondTargetsKey is null ? [targetsKey.PublicKey] : [targetsKey.PublicKey, secondTargetsKey.PublicKey], 1),
                new RoleSpec([_s.OnlineKey.PublicKey], 1), new RoleSpec([_s.OnlineKey.PublicKey], 1)),
            [_s.RootKey]);

    private byte[] Targets(long version, SigningKey signer, SigningKey firmwareKey) =>
        _s.Targets(version, TrustSample.Now.AddDays(30), [signer], TrustSample.Scope("any", firmwareKey));

    /// <summary>The attacker's fast-forward: the compromised targets key signs the highest version there is.</summary>
    private TrustedMetadata FastForwarded()
    {
        var loaded = TrustedMetadata.Load(Root(1, _targetsKey), Targets(1, _targetsKey, _s.Dev));
        Assert.True(loaded.IsValid, loaded.Message);
        var attacked = loaded.Value!.Update([], Targets(int.MaxValue, _targetsKey, _s.Release), TrustSample.Now);
        Assert.True(attacked.IsValid, attacked.Message);
        Assert.Equal(int.MaxValue, attacked.Value!.Targets.Version);
        return attacked.Value;
    }

    [Fact]
    public void A_root_that_rotates_the_targets_keys_discards_the_fast_forwarded_targets()
    {
        var trust = FastForwarded();

        var recovered = trust.Update([Root(2, _newTargetsKey)], Targets(2, _newTargetsKey, _s.Dev), TrustSample.Now);

        Assert.True(recovered.IsValid, recovered.Message);
        Assert.Equal(2, recovered.Value!.Root.Version);
        Assert.Equal(2, recovered.Value.Targets.Version);
        Assert.Equal(_s.Dev.KeyId, Assert.Single(recovered.Value.Targets.SigningKeys()).KeyId);
        Assert.True(recovered.Value.Authorize([_s.Dev.KeyId], _s.Device(), TrustSample.Now).IsValid);
        Assert.Equal(TrustFailure.UnknownSigner, recovered.Value.Authorize([_s.Release.KeyId], _s.Device(), TrustSample.Now).Failure);
    }

    [Fact]
    public void After_the_rotation_the_old_targets_key_signs_nothing_and_rollback_protection_resumes()
    {
        var recovered = FastForwarded().Update([Root(2, _newTargetsKey)], Targets(5, _newTargetsKey, _s.Dev), TrustSample.Now).Value!;

        Assert.Equal(TrustFailure.ThresholdNotMet, recovered.Update([], Targets(int.MaxValue, _targetsKey, _s.Release), TrustSample.Now).Failure);
        Assert.Equal(TrustFailure.VersionRollback, recovered.Update([], Targets(4, _newTargetsKey, _s.Dev), TrustSample.Now).Failure);
        Assert.True(recovered.Update([], Targets(6, _newTargetsKey, _s.Dev), TrustSample.Now).IsValid);
    }

    [Fact]
    public void A_root_that_keeps_the_targets_keys_keeps_the_trusted_targets_and_their_version()
    {
        var trust = FastForwarded();

        // Only a rotation of the targets keys discards the targets: a new root version with the same targets keys
        // (here a threshold-neutral re-issue) still refuses the lower version.
        var same = trust.Update([Root(2, _targetsKey)], Targets(2, _targetsKey, _s.Dev), TrustSample.Now);

        Assert.Equal(TrustFailure.VersionRollback, same.Failure);
    }

    [Fact]
    public void Adding_a_targets_key_is_a_rotation_too()
    {
        var trust = FastForwarded();

        var result = trust.Update([Root(2, _targetsKey, _newTargetsKey)], Targets(2, _newTargetsKey, _s.Dev), TrustSample.Now);

        Assert.True(result.IsValid, result.Message);
        Assert.True(TrustedMetadata.RotatesKeys(trust.Root, result.Value!.Root, TufRoles.Targets));
        Assert.False(TrustedMetadata.RotatesKeys(trust.Root, result.Value.Root, TufRoles.Snapshot));
    }
}
