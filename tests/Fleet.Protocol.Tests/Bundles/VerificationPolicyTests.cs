using Fleet.Protocol.Bundles;
using Fleet.Testing;
using Semver;

namespace Fleet.Protocol.Tests.Bundles;

public sealed class VerificationPolicyTests
{
    private static SemVersion V(string s) => SemVersion.Parse(s, SemVersionStyles.Strict);

    private static async Task<string> BundleAsync(TempDir dir, BundleSpec spec)
    {
        var path = dir.Combine("fw.fwb");
        await SampleBundles.CreateSignedAsync(path, SampleBundles.Payload(5000), spec);
        return path;
    }

    [Fact]
    public async Task Product_platform_and_architecture_must_match_when_expected()
    {
        using var dir = new TempDir();
        var path = await BundleAsync(dir, SampleBundles.Spec());
        var policy = SampleBundles.Trusting(SampleBundles.Key);

        Assert.True(BundleVerifier.VerifyFile(path, policy with { Product = "algae-tank", Platform = "rpi4", Architecture = "arm64" }).IsValid);
        Assert.Equal(VerificationFailure.ProductMismatch, BundleVerifier.VerifyFile(path, policy with { Product = "hydro-tank" }).Failure);
        Assert.Equal(VerificationFailure.PlatformMismatch, BundleVerifier.VerifyFile(path, policy with { Platform = "rpi5" }).Failure);
        Assert.Equal(VerificationFailure.ArchitectureMismatch, BundleVerifier.VerifyFile(path, policy with { Architecture = "arm" }).Failure);
    }

    [Fact]
    public async Task A_lower_version_than_installed_is_DowngradeRefused()
    {
        using var dir = new TempDir();
        var path = await BundleAsync(dir, SampleBundles.Spec("1.4.2"));
        var policy = SampleBundles.Trusting(SampleBundles.Key);

        Assert.Equal(VerificationFailure.DowngradeRefused, BundleVerifier.VerifyFile(path, policy with { InstalledVersion = V("1.5.0") }).Failure);
        Assert.Equal(VerificationFailure.DowngradeRefused, BundleVerifier.VerifyFile(path, policy with { InstalledVersion = V("1.4.3-rc.1") }).Failure);
        Assert.True(BundleVerifier.VerifyFile(path, policy with { InstalledVersion = V("1.4.2") }).IsValid);
        Assert.True(BundleVerifier.VerifyFile(path, policy with { InstalledVersion = V("1.4.2-rc.1") }).IsValid);
    }

    [Fact]
    public async Task A_bundle_signed_with_allowDowngrade_may_go_below_the_installed_version()
    {
        using var dir = new TempDir();
        var path = await BundleAsync(dir, SampleBundles.Spec("1.0.0") with { AllowDowngrade = true });

        var result = BundleVerifier.VerifyFile(path, SampleBundles.Trusting(SampleBundles.Key) with { InstalledVersion = V("2.0.0") });

        Assert.True(result.IsValid, result.ToString());
        Assert.True(result.Manifest.AllowDowngrade);
    }

    [Fact]
    public async Task A_payload_over_the_limit_is_PayloadTooLarge()
    {
        using var dir = new TempDir();
        var path = await BundleAsync(dir, SampleBundles.Spec());

        var result = BundleVerifier.VerifyFile(path, SampleBundles.Trusting(SampleBundles.Key) with { Limits = new BundleLimits { MaxPayloadBytes = 4000 } });

        Assert.Equal(VerificationFailure.PayloadTooLarge, result.Failure);
    }

    [Fact]
    public async Task Any_one_trusted_key_among_several_signatures_is_enough()
    {
        using var dir = new TempDir();
        var path = await BundleAsync(dir, SampleBundles.Spec());
        await BundleWriter.SignAsync(path, SampleBundles.OtherKey);

        Assert.Equal(SampleBundles.OtherKey.KeyId, BundleVerifier.VerifyFile(path, SampleBundles.Trusting(SampleBundles.OtherKey)).SignedBy);
        Assert.Equal(SampleBundles.Key.KeyId, BundleVerifier.VerifyFile(path, SampleBundles.Trusting(SampleBundles.Key)).SignedBy);
    }
}
