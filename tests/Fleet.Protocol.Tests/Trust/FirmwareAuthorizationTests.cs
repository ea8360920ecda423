using Fleet.Protocol.Trust;

namespace Fleet.Protocol.Tests.Trust;

/// <summary>A signing key reaches only the devices its scope covers.</summary>
public sealed class FirmwareAuthorizationTests
{
    private readonly TrustSample _s = new();

    [Theory]
    [InlineData("group:test", "test", new string[0], true)]
    [InlineData("group:test", "production", new string[0], false)]
    [InlineData("group:test", null, new string[0], false)]
    [InlineData("tag:field", null, new[] { "field" }, true)]
    [InlineData("tag:field", "test", new[] { "lab" }, false)]
    [InlineData("device:tank-0001", null, new string[0], true)]
    [InlineData("device:tank-0002", null, new string[0], false)]
    [InlineData("any", null, new string[0], true)]
    public void A_scoped_key_covers_exactly_its_group_tag_or_device(string scope, string? group, string[] tags, bool allowed)
    {
        var trust = _s.Trusted(TrustSample.Scope(scope, _s.Dev));

        var result = trust.Authorize([_s.Dev.KeyId], _s.Device("tank-0001", group, tags), TrustSample.Now);

        Assert.Equal(allowed, result.IsValid);
        if (!allowed)
        {
            Assert.Equal(TrustFailure.OutOfScope, result.Failure);
            Assert.Contains(_s.Dev.KeyId, result.Message, StringComparison.Ordinal);
            Assert.Contains("tank-0001", result.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_key_not_in_the_targets_is_unknown_and_a_revoked_key_stops_working()
    {
        var trust = _s.Trusted(TrustSample.Scope("any", _s.Dev));
        Assert.Equal(TrustFailure.UnknownSigner, trust.Authorize([_s.Release.KeyId], _s.Device(), TrustSample.Now).Failure);

        var revoked = trust.Update([], _s.Targets(2, TrustSample.Scope("any", _s.Release)), TrustSample.Now).Value!;
        Assert.Equal(TrustFailure.UnknownSigner, revoked.Authorize([_s.Dev.KeyId], _s.Device(), TrustSample.Now).Failure);
        Assert.True(revoked.Authorize([_s.Release.KeyId], _s.Device(), TrustSample.Now).IsValid);
    }

    [Fact]
    public void Firmware_for_another_product_is_refused()
    {
        var trust = _s.Trusted(TrustSample.Scope("any", _s.Dev));
        var scope = _s.Device() with { Product = "hydro-tank" };

        Assert.Equal(TrustFailure.WrongProduct, trust.Authorize([_s.Dev.KeyId], scope, TrustSample.Now).Failure);
    }

    [Fact]
    public void A_role_with_threshold_two_needs_both_keys()
    {
        var trust = _s.Trusted(new DelegationSpec(TrustScope.AnyDevice, [_s.Dev.PublicKey, _s.Release.PublicKey], 2));

        Assert.Equal(TrustFailure.OutOfScope, trust.Authorize([_s.Dev.KeyId], _s.Device(), TrustSample.Now).Failure);
        Assert.True(trust.Authorize([_s.Dev.KeyId, _s.Release.KeyId], _s.Device(), TrustSample.Now).IsValid);
    }

    [Theory]
    [InlineData("groups/test/*", "groups/test/algae-tank-1.2.0", true)]
    [InlineData("groups/test/*", "groups/test2/algae-tank-1.2.0", false)]
    [InlineData("*/*/*", "tags/field/algae-tank-1.2.0", true)]
    [InlineData("*/*/*", "tags/algae-tank-1.2.0", false)]
    [InlineData("groups/*", "groups/test/algae-tank-1.2.0", false)]
    [InlineData("tags/f?eld/*", "tags/field/x", true)]
    [InlineData("tags/field/*", "tags/field\n/x", false)]
    public void Path_patterns_are_glob_like_and_never_cross_a_slash(string pattern, string path, bool matches)
    {
        Assert.Equal(matches, TargetPathPattern.Matches(pattern, path));
    }

    [Theory]
    [InlineData("group:test\n")]
    [InlineData("group:")]
    [InlineData("groups:test")]
    [InlineData("tag:a/b")]
    [InlineData("")]
    public void Scopes_are_exact_names(string text)
    {
        Assert.False(TrustScope.TryParse(text, out _, out var error));
        Assert.Contains("group:NAME", error, StringComparison.Ordinal);
    }
}
