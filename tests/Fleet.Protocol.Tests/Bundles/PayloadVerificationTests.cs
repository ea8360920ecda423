using Fleet.Protocol.Bundles;

namespace Fleet.Protocol.Tests.Bundles;

/// <summary>The device's staging file, assembled from chunks, is checked against the verified manifest before unpacking.</summary>
public sealed class PayloadVerificationTests
{
    private static readonly byte[] Payload = SampleBundles.Payload((3 * BundleEntries.ChunkSize) + 17);
    private static readonly Manifest Manifest = CraftedBundle.ManifestFor(Payload);

    [Fact]
    public void The_exact_payload_verifies_with_the_whole_hash()
    {
        var result = BundleVerifier.VerifyPayload(new MemoryStream(Payload), Manifest);

        Assert.True(result.IsValid, result.ToString());
    }

    [Fact]
    public void A_changed_byte_is_ChunkHashMismatch_naming_the_chunk()
    {
        var changed = Payload.ToArray();
        changed[BundleEntries.ChunkSize + 5] ^= 0x80;

        var result = BundleVerifier.VerifyPayload(new MemoryStream(changed), Manifest);

        Assert.Equal(VerificationFailure.ChunkHashMismatch, result.Failure);
        Assert.Contains("chunk 1", result.Message);
    }

    [Fact]
    public void A_short_payload_is_TruncatedArchive_and_a_long_one_SizeMismatch()
    {
        Assert.Equal(VerificationFailure.TruncatedArchive, BundleVerifier.VerifyPayload(new MemoryStream(Payload[..^1]), Manifest).Failure);
        Assert.Equal(VerificationFailure.SizeMismatch, BundleVerifier.VerifyPayload(new MemoryStream([.. Payload, 1]), Manifest).Failure);
    }

    [Fact]
    public void The_whole_hash_check_can_be_left_to_the_chunk_hashes()
    {
        var inconsistent = CraftedBundle.ManifestFor(Payload, m => m with { Payload = m.Payload with { Sha256 = new string('1', 64) } });

        Assert.Equal(VerificationFailure.PayloadHashMismatch, BundleVerifier.VerifyPayload(new MemoryStream(Payload), inconsistent).Failure);
        Assert.True(BundleVerifier.VerifyPayload(new MemoryStream(Payload), inconsistent, checkWholePayloadHash: false).IsValid);
    }
}
