using Fleet.Protocol.Signing;
using Fleet.Protocol.Trust;

namespace Fleet.Protocol.Tests.Trust;

/// <summary>A downgrade needs a permit signed within scope, naming the release and the version it replaces, unexpired.</summary>
public sealed class DowngradePermitTests
{
    private const string Uuid = "0f0e0d0c-0b0a-4908-8706-050403020100";
    private readonly TrustSample _s = new();

    private byte[] Permit(SigningKey key, string uuid = Uuid, string version = "1.2.0", string replaces = "1.3.0", int days = 7, string? product = null) =>
        SignedEnvelope.Sign(new DowngradePermit(product ?? _s.Product, uuid, version, [replaces], TrustSample.Now.AddDays(days)).ToSigned(), [key]);

    private TrustResult<DowngradePermit> Verify(byte[] permit, string installed = "1.3.0", string? group = "test") =>
        DowngradePermits.Verify(permit, _s.Trusted(TrustSample.Scope("group:test", _s.Dev)), _s.Device(group: group), Uuid, installed, TrustSample.Now);

    [Fact]
    public void A_permit_from_a_key_in_scope_allows_the_named_downgrade()
    {
        var result = Verify(Permit(_s.Dev));
        Assert.True(result.IsValid, result.Message);
    }

    [Theory]
    [InlineData("expired", TrustFailure.Expired)]
    [InlineData("other-uuid", TrustFailure.PermitMismatch)]
    [InlineData("other-version", TrustFailure.PermitMismatch)]
    [InlineData("other-installed", TrustFailure.PermitMismatch)]
    [InlineData("build-metadata", TrustFailure.PermitMismatch)]
    [InlineData("unknown-key", TrustFailure.UnknownSigner)]
    [InlineData("out-of-scope", TrustFailure.OutOfScope)]
    [InlineData("other-product", TrustFailure.WrongProduct)]
    [InlineData("not-a-permit", TrustFailure.WrongType)]
    public void A_permit_that_does_not_fit_is_refused(string attack, TrustFailure expected)
    {
        var result = attack switch
        {
            "expired" => Verify(Permit(_s.Dev, days: -1)),
            "other-uuid" => Verify(Permit(_s.Dev, uuid: "11111111-1111-4111-8111-111111111111")),
            "other-version" => Verify(Permit(_s.Dev, version: "1.1.0")),
            "other-installed" => Verify(Permit(_s.Dev), installed: "1.4.0"),
            "build-metadata" => Verify(Permit(_s.Dev), installed: "1.3.0+b"),
            "unknown-key" => Verify(Permit(_s.Release)),
            "out-of-scope" => Verify(Permit(_s.Dev), group: "production"),
            "other-product" => Verify(Permit(_s.Dev, product: "hydro-tank")),
            _ => Verify(_s.Targets(1)),
        };

        Assert.Equal(expected, result.Failure);
    }
}
