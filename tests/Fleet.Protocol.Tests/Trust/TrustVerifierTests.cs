using System.Text;
using System.Text.Json.Nodes;
using Fleet.Protocol.Trust;

namespace Fleet.Protocol.Tests.Trust;

/// <summary>The TUF rules, one refusal per row: who may sign each role, versions that never go back, expiry.</summary>
public sealed class TrustVerifierTests
{
    private readonly TrustSample _s = new();

    [Fact]
    public void Stored_root_and_targets_load_and_list_the_delegated_keys()
    {
        var trust = _s.Trusted(TrustSample.Scope("group:test", _s.Dev), TrustSample.Scope("any", _s.Release));

        Assert.Equal("algae-tank", trust.Product);
        Assert.Equal(1, trust.Root.Version);
        Assert.Equal(2, trust.Targets.Delegations.Count);
        Assert.Equal([_s.Dev.PublicKey, _s.Release.PublicKey], trust.Targets.SigningKeys().OrderBy(k => k.KeyId == _s.Release.KeyId));
    }

    [Fact]
    public void Newer_targets_replace_older_ones_and_older_ones_are_refused()
    {
        var trust = _s.Trusted(TrustSample.Scope("any", _s.Dev));
        var v2 = trust.Update([], _s.Targets(2, TrustSample.Scope("any", _s.Release)), TrustSample.Now);
        Assert.True(v2.IsValid, v2.Message);

        var back = v2.Value!.Update([], _s.Targets(1, TrustSample.Scope("any", _s.Dev)), TrustSample.Now);
        Assert.Equal(TrustFailure.VersionRollback, back.Failure);
    }

    [Fact]
    public void Same_targets_version_with_other_content_is_a_conflict_and_the_same_bytes_are_fine()
    {
        var trust = _s.Trusted(TrustSample.Scope("any", _s.Dev));

        Assert.True(trust.Update([], _s.Targets(1, TrustSample.Scope("any", _s.Dev)), TrustSample.Now).IsValid);
        Assert.Equal(TrustFailure.VersionConflict, trust.Update([], _s.Targets(1, TrustSample.Scope("any", _s.Release)), TrustSample.Now).Failure);
    }

    [Fact]
    public void Targets_signed_by_a_key_the_root_does_not_name_for_targets_are_refused()
    {
        var trust = _s.Trusted();
        var forged = _s.Targets(2, TrustSample.Now.AddDays(30), [_s.OnlineKey], TrustSample.Scope("any", _s.Dev));

        var result = trust.Update([], forged, TrustSample.Now);

        Assert.Equal(TrustFailure.ThresholdNotMet, result.Failure);
        Assert.Contains("targets keys", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Expired_targets_are_refused_on_update_and_stop_every_install()
    {
        var trust = _s.Trusted(TrustSample.Scope("any", _s.Dev));
        var expired = _s.Targets(2, TrustSample.Now.AddMinutes(-1), [_s.RootKey], TrustSample.Scope("any", _s.Dev));
        Assert.Equal(TrustFailure.Expired, trust.Update([], expired, TrustSample.Now).Failure);

        var later = TrustSample.Now.AddDays(91);
        Assert.Equal(TrustFailure.Expired, trust.Authorize([_s.Dev.KeyId], _s.Device(), later).Failure);
    }

    [Fact]
    public void A_root_rotates_when_signed_by_the_old_and_the_new_root_keys()
    {
        var trust = _s.Trusted(TrustSample.Scope("any", _s.Dev));
        var newKey = TrustSample.Key(9);
        var v2 = _s.Root(2, newKey, signers: [_s.RootKey, newKey]);
        var targets = SignedEnvelope.Sign(TrustDocuments.Targets(2, TrustSample.Now.AddDays(30), [TrustSample.Scope("any", _s.Dev)]), [newKey]);

        var rotated = trust.Update([_s.Root(1), v2], targets, TrustSample.Now);

        Assert.True(rotated.IsValid, rotated.Message);
        Assert.Equal(2, rotated.Value!.Root.Version);
        Assert.Equal(TrustFailure.ThresholdNotMet, rotated.Value.Update([], _s.Targets(3, TrustSample.Scope("any", _s.Dev)), TrustSample.Now).Failure);
    }

    [Theory]
    [InlineData("only-new", TrustFailure.ThresholdNotMet)]
    [InlineData("only-old", TrustFailure.ThresholdNotMet)]
    [InlineData("skips", TrustFailure.VersionRollback)]
    [InlineData("other-product", TrustFailure.WrongProduct)]
    [InlineData("expired", TrustFailure.Expired)]
    public void A_root_that_does_not_follow_the_trusted_one_is_refused(string attack, TrustFailure expected)
    {
        var trust = _s.Trusted(TrustSample.Scope("any", _s.Dev));
        var newKey = TrustSample.Key(9);
        var root = attack switch
        {
            "only-new" => _s.Root(2, newKey, signers: [newKey]),
            "only-old" => _s.Root(2, newKey, signers: [_s.RootKey]),
            "skips" => _s.Root(3, newKey, signers: [_s.RootKey, newKey]),
            "other-product" => _s.Root(2, _s.RootKey, product: "hydro-tank"),
            _ => _s.Root(2, _s.RootKey, expires: TrustSample.Now.AddDays(-1)),
        };

        var result = trust.Update([root], _s.Targets(2, TrustSample.Scope("any", _s.Dev)), TrustSample.Now);

        Assert.Equal(expected, result.Failure);
    }

    [Fact]
    public void A_threshold_of_two_is_not_met_by_one_key_signing_twice()
    {
        var second = TrustSample.Key(8);
        var signed = TrustDocuments.Root("algae-tank", 1, TrustSample.Now.AddYears(1),
            new RoleSpec([_s.RootKey.PublicKey, second.PublicKey], 2), new RoleSpec([_s.RootKey.PublicKey], 1),
            new RoleSpec([_s.OnlineKey.PublicKey], 1), new RoleSpec([_s.OnlineKey.PublicKey], 1));
        var twice = SignedEnvelope.Sign(signed, [_s.RootKey, _s.RootKey]);

        Assert.Equal(TrustFailure.ThresholdNotMet, TrustVerifier.VerifyInitialRoot(twice).Failure);
        Assert.True(TrustVerifier.VerifyInitialRoot(SignedEnvelope.Sign(signed, [_s.RootKey, second])).IsValid);
    }

    [Fact]
    public void Targets_offered_as_root_are_the_wrong_type()
    {
        Assert.Equal(TrustFailure.WrongType, TrustVerifier.VerifyInitialRoot(_s.Targets(1)).Failure);
    }

    [Theory]
    [InlineData("{\"signed\":{\"_type\":\"root\",\"_type\":\"root\"},\"signatures\":[]}")]
    [InlineData("{\"signed\":{\"_type\":\"root\",\"version\":1.5},\"signatures\":[]}")]
    [InlineData("{\"signed\":{\"_type\":\"root\"},\"signatures\":[],\"extra\":1}")]
    [InlineData("[1,2,3]")]
    [InlineData("{\"signed\":")]
    public void Malformed_metadata_is_refused_by_name(string json)
    {
        Assert.Equal(TrustFailure.Malformed, TrustVerifier.VerifyInitialRoot(Encoding.UTF8.GetBytes(json)).Failure);
    }

    [Fact]
    public void A_key_listed_under_another_keys_id_is_refused()
    {
        var envelope = JsonNode.Parse(_s.Root())!.AsObject();
        var keys = envelope["signed"]!["keys"]!.AsObject();
        var (realId, key) = keys.First(k => k.Value!["keyval"]!["public"]!.GetValue<string>() == Convert.ToHexStringLower(_s.OnlineKey.PublicKey.Raw.Span));
        key!["keyval"]!["public"] = Convert.ToHexStringLower(_s.Dev.PublicKey.Raw.Span);

        var result = TrustVerifier.VerifyInitialRoot(Encoding.UTF8.GetBytes(envelope.ToJsonString()));

        Assert.Equal(TrustFailure.Malformed, result.Failure);
        Assert.Contains(realId, result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_changed_field_breaks_the_signature_even_if_the_json_is_reformatted()
    {
        var envelope = JsonNode.Parse(_s.Root())!.AsObject();
        Assert.True(TrustVerifier.VerifyInitialRoot(Encoding.UTF8.GetBytes(envelope.ToJsonString())).IsValid);

        envelope["signed"]!["expires"] = "2099-01-01T00:00:00Z";
        Assert.Equal(TrustFailure.ThresholdNotMet, TrustVerifier.VerifyInitialRoot(Encoding.UTF8.GetBytes(envelope.ToJsonString())).Failure);
    }
}
