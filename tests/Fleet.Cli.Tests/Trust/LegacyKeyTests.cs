using Fleet.Protocol.Signing;
using Fleet.Protocol.Trust;
using Fleet.Testing;

namespace Fleet.Cli.Tests.Trust;

/// <summary><c>--legacy-key</c>: a root also signed by the product key that tanks provisioned before TUF trust, so
/// they adopt it over the air (<see cref="TrustedMetadata.Adopt"/>); TUF clients ignore the extra signature.</summary>
public sealed class LegacyKeyTests
{
    [Fact]
    public async Task Init_and_rotate_root_with_a_legacy_key_sign_roots_a_legacy_tank_adopts_and_a_root_key_is_refused_as_one()
    {
        using var work = new TempDir("fleet-trust-legacy");
        await using var hub = await RunningHub.StartAsync();
        var p = await TrustedProduct.CreateAsync(work, hub);
        await p.Cli.OkAsync("keys", "create", "release");
        var release = VerifyingKey.Load(work.Combine("config", "keys", "release.pub"));

        var refused = await p.Cli.RunAsync("trust", "init", "--product", TrustedProduct.Name, "--root-key", "root1", "--legacy-key", work.Combine("config", "root-keys", "root1.key"));
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("is a root key of this root already", refused.StandardError);

        await p.InitAsync("--legacy-key", "release");
        await p.Cli.OkAsync("trust", "add-key", "--product", TrustedProduct.Name, "--key", "release", "--scope", "any");
        var v1 = await File.ReadAllBytesAsync(Path.Combine(p.TrustDir, "1.root.json"));
        var targets = await File.ReadAllBytesAsync(Path.Combine(p.TrustDir, "targets.json"));

        Assert.Contains(SignedEnvelope.Parse(v1, "root").Signatures, s => s.KeyId == TufKey.From(release).KeyId);
        Assert.True(TrustVerifier.VerifyInitialRoot(v1).IsValid);
        var adopted = TrustedMetadata.Adopt([v1], targets, [release], TrustedProduct.Name, DateTimeOffset.UtcNow);
        Assert.True(adopted.IsValid, adopted.Message);
        Assert.Equal(TrustFailure.NotProvisioned, TrustedMetadata.Adopt([v1], targets, [SigningKey.Generate().PublicKey], TrustedProduct.Name, DateTimeOffset.UtcNow).Failure);
        Assert.Equal(TrustFailure.NotProvisioned, TrustedMetadata.Adopt([v1], targets, [release], "other-tank", DateTimeOffset.UtcNow).Failure);

        // A product already on TUF endorses its next root for legacy tanks: rotate-root with --legacy-key alone.
        var (product, rootKey) = (TrustedProduct.Name, "root1");
        await p.Cli.OkAsync("trust", "rotate-root", "--product", product, "--root-key", rootKey, "--legacy-key", "release");
        var v2 = await File.ReadAllBytesAsync(Path.Combine(p.TrustDir, "2.root.json"));
        Assert.Contains(SignedEnvelope.Parse(v2, "root").Signatures, s => s.KeyId == TufKey.From(release).KeyId);
        Assert.True(TrustVerifier.VerifyRoot(v2, TrustVerifier.VerifyInitialRoot(v1).Value!).IsValid);
    }
}
