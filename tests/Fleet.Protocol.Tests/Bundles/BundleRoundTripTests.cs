using Fleet.Protocol.Bundles;
using Fleet.Testing;

namespace Fleet.Protocol.Tests.Bundles;

public sealed class BundleRoundTripTests
{
    [Fact]
    public async Task A_signed_bundle_verifies_with_its_public_key()
    {
        using var dir = new TempDir();
        var payload = SampleBundles.Payload((3 * BundleEntries.ChunkSize) + 100);
        var path = dir.Combine("fw.fwb");
        var manifest = await SampleBundles.CreateSignedAsync(path, payload);

        var result = BundleVerifier.VerifyFile(path, SampleBundles.Trusting(SampleBundles.Key));

        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(manifest.Uuid, result.Manifest.Uuid);
        Assert.Equal(SampleBundles.Key.KeyId, result.SignedBy);
        Assert.Equal(4, result.Manifest.Payload.Chunks.Count);
        Assert.Equal(100, result.Manifest.Payload.Chunks[3].Size);
        Assert.Equal(payload.Length, result.Manifest.Payload.Size);
    }

    [Fact]
    public async Task The_verified_payload_stream_returns_the_original_bytes()
    {
        using var dir = new TempDir();
        var payload = SampleBundles.Payload(200_000);
        var path = dir.Combine("fw.fwb");
        await SampleBundles.CreateSignedAsync(path, payload);

        var result = BundleVerifier.OpenVerified(path, SampleBundles.Trusting(SampleBundles.Key), out var bundle);
        using (bundle)
        {
            Assert.True(result.IsValid, result.ToString());
            using var stream = bundle!.OpenPayload();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            Assert.Equal(payload, copy.ToArray());
        }
    }
}
