using System.IO.Compression;
using System.Text;
using Fleet.Protocol.Bundles;
using Fleet.Testing;

namespace Fleet.Protocol.Tests.Bundles;

/// <summary>Issue 2, section 5: each hostile input is refused with its named reason.</summary>
public sealed class HostileBundleTests
{
    private static readonly VerificationPolicy Policy = SampleBundles.Trusting(SampleBundles.Key);

    private static VerificationFailure Verify(string path)
    {
        var result = BundleVerifier.VerifyFile(path, Policy);
        Assert.False(string.IsNullOrWhiteSpace(result.Message));
        return result.Failure;
    }

    [Fact]
    public async Task A_truncated_archive_is_TruncatedArchive()
    {
        using var dir = new TempDir();
        var path = dir.Combine("fw.fwb");
        await SampleBundles.CreateSignedAsync(path, SampleBundles.Payload(150_000));
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        Assert.Equal(VerificationFailure.TruncatedArchive, Verify(path));
    }

    [Fact]
    public void A_bundle_without_a_payload_is_MissingEntry()
    {
        using var dir = new TempDir();
        var payload = SampleBundles.Payload(1000);
        var manifest = CraftedBundle.ManifestFor(payload).ToJson();
        var path = dir.Combine("fw.fwb");
        CraftedBundle.Write(path, (BundleEntries.Manifest, manifest), (BundleEntries.Signatures, CraftedBundle.SignedBy(SampleBundles.Key, manifest)));

        Assert.Equal(VerificationFailure.MissingEntry, Verify(path));
    }

    [Fact]
    public void A_bundle_with_an_extra_entry_is_ExtraEntry()
    {
        using var dir = new TempDir();
        var payload = SampleBundles.Payload(1000);
        var manifest = CraftedBundle.ManifestFor(payload).ToJson();
        var path = dir.Combine("fw.fwb");
        CraftedBundle.Write(path, (BundleEntries.Manifest, manifest), (BundleEntries.Signatures, CraftedBundle.SignedBy(SampleBundles.Key, manifest)),
            (BundleEntries.Payload, payload), ("../../etc/cron.d/evil", "x"u8.ToArray()));

        Assert.Equal(VerificationFailure.ExtraEntry, Verify(path));
    }

    [Fact]
    public void A_bundle_with_two_payload_entries_is_DuplicateEntry()
    {
        using var dir = new TempDir();
        var payload = SampleBundles.Payload(1000);
        var manifest = CraftedBundle.ManifestFor(payload).ToJson();
        var path = dir.Combine("fw.fwb");
        CraftedBundle.Write(path, (BundleEntries.Manifest, manifest), (BundleEntries.Signatures, CraftedBundle.SignedBy(SampleBundles.Key, manifest)),
            (BundleEntries.Payload, payload), (BundleEntries.Payload, SampleBundles.Payload(1000, seed: 9)));

        Assert.Equal(VerificationFailure.DuplicateEntry, Verify(path));
    }

    [Fact]
    public void A_manifest_over_1_MiB_is_ManifestTooLarge()
    {
        using var dir = new TempDir();
        var payload = SampleBundles.Payload(1000);
        var manifest = CraftedBundle.ManifestFor(payload, m => m with { Description = "", Misc = Enumerable.Range(0, 400).ToDictionary(i => $"k{i}", _ => new string('x', 3000)) }).ToJson();
        Assert.True(manifest.Length > 1024 * 1024);
        var path = dir.Combine("fw.fwb");
        CraftedBundle.WriteSigned(path, manifest, payload);

        Assert.Equal(VerificationFailure.ManifestTooLarge, Verify(path));
    }

    [Fact]
    public void A_manifest_that_is_not_UTF8_is_MalformedManifest()
    {
        using var dir = new TempDir();
        var payload = SampleBundles.Payload(1000);
        var manifest = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(CraftedBundle.ManifestFor(payload).ToJson()).Replace("\"author\":\"\"", "\"author\":\"AB\""));
        var at = Array.IndexOf(manifest, (byte)'A');
        manifest[at] = 0xC3;
        manifest[at + 1] = 0x28;
        var path = dir.Combine("fw.fwb");
        CraftedBundle.WriteSigned(path, manifest, payload);

        var result = BundleVerifier.VerifyFile(path, Policy);

        Assert.Equal(VerificationFailure.MalformedManifest, result.Failure);
        Assert.Contains("UTF-8", result.Message);
    }

    [Theory]
    [InlineData("{\"format\":1,")]
    [InlineData("[]")]
    [InlineData("{\"format\":1,\"format\":1}")]
    [InlineData("")]
    public void A_manifest_that_is_not_the_expected_JSON_is_MalformedManifest(string json)
    {
        using var dir = new TempDir();
        var path = dir.Combine("fw.fwb");
        CraftedBundle.WriteSigned(path, Encoding.UTF8.GetBytes(json), SampleBundles.Payload(10));

        Assert.Equal(VerificationFailure.MalformedManifest, Verify(path));
    }

    [Fact]
    public void A_manifest_with_a_duplicated_field_is_MalformedManifest()
    {
        using var dir = new TempDir();
        var payload = SampleBundles.Payload(1000);
        var json = Encoding.UTF8.GetString(CraftedBundle.ManifestFor(payload).ToJson()).Replace("\"product\":\"algae-tank\"", "\"product\":\"algae-tank\",\"product\":\"other\"");
        var path = dir.Combine("fw.fwb");
        CraftedBundle.WriteSigned(path, Encoding.UTF8.GetBytes(json), payload);

        var result = BundleVerifier.VerifyFile(path, Policy);

        Assert.Equal(VerificationFailure.MalformedManifest, result.Failure);
        Assert.Contains("twice", result.Message);
    }

    [Fact]
    public void A_manifest_whose_uuid_does_not_match_its_content_is_MalformedManifest()
    {
        using var dir = new TempDir();
        var payload = SampleBundles.Payload(1000);
        var json = Encoding.UTF8.GetString(CraftedBundle.ManifestFor(payload).ToJson()).Replace("\"author\":\"\"", "\"author\":\"someone\"");
        var path = dir.Combine("fw.fwb");
        CraftedBundle.WriteSigned(path, Encoding.UTF8.GetBytes(json), payload);

        var result = BundleVerifier.VerifyFile(path, Policy);

        Assert.Equal(VerificationFailure.MalformedManifest, result.Failure);
        Assert.Contains("uuid", result.Message);
    }

    [Theory]
    [InlineData("1.4")]
    [InlineData("v1.4.2")]
    [InlineData("01.4.2")]
    [InlineData("1.4.2-")]
    public void A_version_that_is_not_SemVer_is_InvalidVersion(string version)
    {
        using var dir = new TempDir();
        var payload = SampleBundles.Payload(1000);
        var json = Encoding.UTF8.GetString(CraftedBundle.ManifestFor(payload).ToJson()).Replace("\"version\":\"1.4.2\"", $"\"version\":\"{version}\"");
        var path = dir.Combine("fw.fwb");
        CraftedBundle.WriteSigned(path, Encoding.UTF8.GetBytes(json), payload);

        Assert.Equal(VerificationFailure.InvalidVersion, Verify(path));
    }

    [Fact]
    public async Task A_payload_with_one_changed_byte_is_ChunkHashMismatch()
    {
        using var dir = new TempDir();
        var payload = SampleBundles.Payload(200_000);
        var manifest = CraftedBundle.ManifestFor(payload).ToJson();
        var changed = payload.ToArray();
        changed[150_000] ^= 1;
        var path = dir.Combine("fw.fwb");
        CraftedBundle.WriteSigned(path, manifest, changed);

        var result = BundleVerifier.VerifyFile(path, Policy);

        Assert.Equal(VerificationFailure.ChunkHashMismatch, result.Failure);
        Assert.Contains("chunk 2", result.Message);
        await Task.CompletedTask;
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    public void A_payload_shorter_or_longer_than_the_manifest_says_is_SizeMismatch(int delta)
    {
        using var dir = new TempDir();
        var payload = SampleBundles.Payload(100_000);
        var manifest = CraftedBundle.ManifestFor(payload).ToJson();
        var path = dir.Combine("fw.fwb");
        CraftedBundle.WriteSigned(path, manifest, delta < 0 ? payload[..^1] : [.. payload, 0]);

        Assert.Equal(VerificationFailure.SizeMismatch, Verify(path));
    }

    [Fact]
    public void A_signed_manifest_whose_whole_payload_hash_is_wrong_is_PayloadHashMismatch()
    {
        using var dir = new TempDir();
        var payload = SampleBundles.Payload(100_000);
        var manifest = CraftedBundle.ManifestFor(payload, m => m with { Payload = m.Payload with { Sha256 = new string('0', 64) } }).ToJson();
        var path = dir.Combine("fw.fwb");
        CraftedBundle.WriteSigned(path, manifest, payload);

        Assert.Equal(VerificationFailure.PayloadHashMismatch, Verify(path));
    }

    [Fact]
    public async Task A_signature_from_an_unknown_key_is_UnknownKey()
    {
        using var dir = new TempDir();
        var path = dir.Combine("fw.fwb");
        await SampleBundles.CreateSignedAsync(path, SampleBundles.Payload(1000), key: SampleBundles.OtherKey);

        var result = BundleVerifier.VerifyFile(path, Policy);

        Assert.Equal(VerificationFailure.UnknownKey, result.Failure);
        Assert.Contains(SampleBundles.OtherKey.KeyId, result.Message);
    }

    [Fact]
    public async Task An_empty_trust_list_trusts_nobody()
    {
        using var dir = new TempDir();
        var path = dir.Combine("fw.fwb");
        await SampleBundles.CreateSignedAsync(path, SampleBundles.Payload(1000));

        Assert.Equal(VerificationFailure.UnknownKey, BundleVerifier.VerifyFile(path, new VerificationPolicy([])).Failure);
    }

    [Fact]
    public async Task An_unsigned_bundle_is_Unsigned()
    {
        using var dir = new TempDir();
        var path = dir.Combine("fw.fwb");
        await BundleWriter.CreateAsync(SampleBundles.Spec(), (s, ct) => s.WriteAsync(new byte[10], ct).AsTask(), path);

        Assert.Equal(VerificationFailure.Unsigned, Verify(path));
    }

    [Fact]
    public void A_manifest_changed_after_signing_is_BadSignature()
    {
        using var dir = new TempDir();
        var payload = SampleBundles.Payload(1000);
        var manifest = CraftedBundle.ManifestFor(payload).ToJson();
        var other = CraftedBundle.ManifestFor(payload, m => m with { Description = "changed" }).ToJson();
        var path = dir.Combine("fw.fwb");
        CraftedBundle.Write(path, (BundleEntries.Manifest, other), (BundleEntries.Signatures, CraftedBundle.SignedBy(SampleBundles.Key, manifest)), (BundleEntries.Payload, payload));

        Assert.Equal(VerificationFailure.BadSignature, Verify(path));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("[{\"keyId\":\"KEY\",\"alg\":\"ed25519\"}]")]
    [InlineData("[{\"keyId\":\"KEY\",\"alg\":\"ed25519\",\"sig\":\"not base64!\"}]")]
    [InlineData("[{\"keyId\":\"KEY\",\"alg\":\"ed25519\",\"sig\":\"AAAA\"}]")]
    [InlineData("[{\"keyId\":\"xyz\",\"alg\":\"ed25519\",\"sig\":\"AAAA\"}]")]
    [InlineData("[{\"keyId\":\"KEY\",\"alg\":\"ed25519\",\"sig\":\"AAAA\",\"extra\":\"1\"}]")]
    [InlineData("[1]")]
    [InlineData("not json")]
    public void A_malformed_signature_list_is_MalformedSignature(string sig)
    {
        using var dir = new TempDir();
        var payload = SampleBundles.Payload(1000);
        var manifest = CraftedBundle.ManifestFor(payload).ToJson();
        var path = dir.Combine("fw.fwb");
        CraftedBundle.Write(path, (BundleEntries.Manifest, manifest), (BundleEntries.Signatures, Encoding.UTF8.GetBytes(sig.Replace("KEY", SampleBundles.Key.KeyId))), (BundleEntries.Payload, payload));

        Assert.Equal(VerificationFailure.MalformedSignature, Verify(path));
    }

    [Fact]
    public void A_signature_with_an_unknown_algorithm_is_UnknownAlgorithm()
    {
        using var dir = new TempDir();
        var payload = SampleBundles.Payload(1000);
        var manifest = CraftedBundle.ManifestFor(payload).ToJson();
        var path = dir.Combine("fw.fwb");
        var sig = CraftedBundle.SignatureList(new BundleSignature(SampleBundles.Key.KeyId, "rsa-pss", Convert.ToBase64String(SampleBundles.Key.Sign(manifest))));
        CraftedBundle.Write(path, (BundleEntries.Manifest, manifest), (BundleEntries.Signatures, sig), (BundleEntries.Payload, payload));

        Assert.Equal(VerificationFailure.UnknownAlgorithm, Verify(path));
    }

    [Fact]
    public void An_entry_that_inflates_beyond_its_declared_size_is_ZipBomb()
    {
        using var dir = new TempDir();
        var payload = SampleBundles.Payload(1000);
        var manifest = CraftedBundle.ManifestFor(payload).ToJson();
        var path = dir.Combine("fw.fwb");
        // The signature entry inflates to 8 MiB of spaces but its headers will claim 2 bytes.
        var bomb = new byte[8 * 1024 * 1024];
        Array.Fill(bomb, (byte)' ');
        CraftedBundle.Write(path, CompressionLevel.SmallestSize, (BundleEntries.Manifest, manifest), (BundleEntries.Signatures, bomb), (BundleEntries.Payload, payload));
        ZipPatch.SetUncompressedSize(path, BundleEntries.Signatures, 2);

        Assert.Equal(VerificationFailure.ZipBomb, Verify(path));
    }

    [Fact]
    public void An_entry_declaring_an_impossible_expansion_ratio_is_ZipBomb_before_any_byte_is_inflated()
    {
        using var dir = new TempDir();
        var payload = SampleBundles.Payload(1000);
        var manifest = CraftedBundle.ManifestFor(payload).ToJson();
        var path = dir.Combine("fw.fwb");
        CraftedBundle.Write(path, CompressionLevel.SmallestSize, (BundleEntries.Manifest, manifest), (BundleEntries.Signatures, CraftedBundle.SignedBy(SampleBundles.Key, manifest)), (BundleEntries.Payload, payload));
        ZipPatch.SetUncompressedSize(path, BundleEntries.Payload, 0xFFFF_FFF0);

        Assert.Equal(VerificationFailure.ZipBomb, Verify(path));
    }

    [Fact]
    public void A_file_that_is_not_there_is_Unreadable()
    {
        using var dir = new TempDir();

        Assert.Equal(VerificationFailure.Unreadable, Verify(dir.Combine("missing.fwb")));
    }

    [Fact]
    public void A_file_that_is_not_a_zip_is_TruncatedArchive()
    {
        using var dir = new TempDir();
        var path = dir.Combine("fw.fwb");
        File.WriteAllText(path, "hello, I am not a bundle");

        Assert.Equal(VerificationFailure.TruncatedArchive, Verify(path));
    }
}
