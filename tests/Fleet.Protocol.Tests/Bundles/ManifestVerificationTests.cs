using Fleet.Protocol.Bundles;
using Fleet.Testing;

namespace Fleet.Protocol.Tests.Bundles;

/// <summary>The device's path: manifest + signatures from the update command, then chunks one by one.</summary>
public sealed class ManifestVerificationTests
{
    [Fact]
    public async Task A_manifest_and_its_signatures_verify_without_the_payload()
    {
        using var dir = new TempDir();
        var path = dir.Combine("fw.fwb");
        await SampleBundles.CreateSignedAsync(path, SampleBundles.Payload(100_000));
        var result = BundleVerifier.OpenVerified(path, SampleBundles.Trusting(SampleBundles.Key), out var bundle);
        Assert.True(result.IsValid, result.ToString());
        using (bundle)
        {
            var offer = BundleVerifier.VerifyManifest(bundle!.ManifestBytes.Span, bundle.SignatureBytes.Span,
                SampleBundles.Trusting(SampleBundles.Key) with { Product = "algae-tank", Platform = "rpi4", Architecture = "arm64" });

            Assert.True(offer.IsValid, offer.ToString());
            Assert.Equal(bundle.Manifest, offer.Manifest);
        }
    }

    [Fact]
    public async Task The_update_offer_of_a_verified_bundle_verifies_on_its_own_and_a_tampered_one_does_not()
    {
        using var dir = new TempDir();
        var path = dir.Combine("fw.fwb");
        await SampleBundles.CreateSignedAsync(path, SampleBundles.Payload(200_000));
        var policy = SampleBundles.Trusting(SampleBundles.Key);
        Assert.True(BundleVerifier.OpenVerified(path, policy, out var bundle).IsValid);
        Fleet.Protocol.Messages.UpdateOffer offer;
        using (bundle)
        {
            offer = bundle!.ToUpdateOffer();
        }

        var ok = BundleVerifier.VerifyOffer(offer, policy);
        var wrongCount = BundleVerifier.VerifyOffer(offer with { ChunkCount = 99 }, policy);
        var notBase64 = BundleVerifier.VerifyOffer(offer with { ManifestBase64 = "%%%" }, policy);
        var edited = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(offer.ManifestBase64)).Replace("algae-tank", "algae-tanx");
        var forged = BundleVerifier.VerifyOffer(offer with { ManifestBase64 = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(edited)) }, policy);

        Assert.True(ok.IsValid, ok.ToString());
        Assert.Equal(4, offer.ChunkCount);
        Assert.Equal(VerificationFailure.MalformedManifest, wrongCount.Failure);
        Assert.Equal(VerificationFailure.MalformedManifest, notBase64.Failure);
        Assert.Equal(VerificationFailure.BadSignature, forged.Failure);
        Assert.Equal(VerificationFailure.ManifestTooLarge, BundleVerifier.VerifyOffer(offer with { ManifestBase64 = new string('A', 2_000_000) }, policy).Failure);
        Assert.Equal(VerificationFailure.SignaturesTooLarge, BundleVerifier.VerifyOffer(offer with { Signatures = new string(' ', 100_000) }, policy).Failure);
    }

    [Fact]
    public void A_manifest_signed_by_an_untrusted_key_is_refused_before_any_download()
    {
        var manifest = CraftedBundle.ManifestFor(SampleBundles.Payload(10)).ToJson();

        var result = BundleVerifier.VerifyManifest(manifest, CraftedBundle.SignedBy(SampleBundles.OtherKey, manifest), SampleBundles.Trusting(SampleBundles.Key));

        Assert.Equal(VerificationFailure.UnknownKey, result.Failure);
        Assert.Null(result.Manifest);
    }

    [Fact]
    public void Each_chunk_is_checked_against_its_signed_hash_and_size()
    {
        var payload = SampleBundles.Payload((2 * BundleEntries.ChunkSize) + 10);
        var manifest = CraftedBundle.ManifestFor(payload);

        Assert.True(manifest.ChunkMatches(0, payload.AsSpan(0, BundleEntries.ChunkSize)));
        Assert.True(manifest.ChunkMatches(2, payload.AsSpan(2 * BundleEntries.ChunkSize)));
        Assert.Equal(2 * BundleEntries.ChunkSize, manifest.Payload.OffsetOf(2));
        Assert.False(manifest.ChunkMatches(1, payload.AsSpan(0, BundleEntries.ChunkSize)));
        Assert.False(manifest.ChunkMatches(2, payload.AsSpan(2 * BundleEntries.ChunkSize, 9)));
        Assert.False(manifest.ChunkMatches(3, []));
        Assert.False(manifest.ChunkMatches(-1, []));
    }

    [Fact]
    public async Task Resigning_keeps_the_manifest_bytes_and_uuid()
    {
        using var dir = new TempDir();
        var path = dir.Combine("fw.fwb");
        var manifest = await SampleBundles.CreateSignedAsync(path, SampleBundles.Payload(10_000));
        var before = BundleVerifier.Inspect(path);

        await BundleWriter.SignAsync(path, SampleBundles.OtherKey);
        await BundleWriter.SignAsync(path, SampleBundles.Key);
        var after = BundleVerifier.Inspect(path);

        Assert.Equal(manifest.Uuid, after.Manifest!.Uuid);
        Assert.Equal(before.Manifest!.ToJson(), after.Manifest.ToJson());
        Assert.Equal([SampleBundles.OtherKey.KeyId, SampleBundles.Key.KeyId], after.Signatures.Select(s => s.KeyId));
    }

    [Fact]
    public async Task The_uuid_is_the_same_for_the_same_content_and_differs_when_the_version_does()
    {
        using var dir = new TempDir();
        var payload = SampleBundles.Payload(10_000);
        var a = await SampleBundles.CreateSignedAsync(dir.Combine("a.fwb"), payload);
        var b = await SampleBundles.CreateSignedAsync(dir.Combine("b.fwb"), payload, key: SampleBundles.OtherKey);
        var c = await SampleBundles.CreateSignedAsync(dir.Combine("c.fwb"), payload, SampleBundles.Spec("1.4.3"));

        Assert.Equal(a.Uuid, b.Uuid);
        Assert.NotEqual(a.Uuid, c.Uuid);
        Assert.Equal(8, a.Uuid.ToByteArray(bigEndian: true)[6] >> 4);
    }

    [Fact]
    public void The_manifest_json_has_the_documented_fields_in_order()
    {
        var manifest = CraftedBundle.ManifestFor(SampleBundles.Payload(10), m => m with { AllowDowngrade = true });
        var json = System.Text.Encoding.UTF8.GetString(manifest.ToJson());

        using var doc = System.Text.Json.JsonDocument.Parse(json);
        Assert.Equal(
            ["format", "uuid", "product", "version", "platform", "architecture", "author", "vcs", "description", "created", "misc", "payload", "allowDowngrade"],
            doc.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("2026-01-31T12:00:00Z", doc.RootElement.GetProperty("created").GetString());
        Assert.Equal(["size", "sha256", "chunks"], doc.RootElement.GetProperty("payload").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task A_file_that_fails_to_be_written_leaves_no_bundle_and_no_temp_file()
    {
        using var dir = new TempDir();
        var path = dir.Combine("fw.fwb");

        await Assert.ThrowsAsync<InvalidOperationException>(() => BundleWriter.CreateAsync(SampleBundles.Spec(), async (s, ct) =>
        {
            await s.WriteAsync(new byte[100_000], ct);
            throw new InvalidOperationException("payload source failed");
        }, path));

        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }
}
