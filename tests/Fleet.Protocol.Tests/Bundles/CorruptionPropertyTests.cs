using CsCheck;
using Fleet.Protocol.Bundles;
using Fleet.Testing;

namespace Fleet.Protocol.Tests.Bundles;

/// <summary>Issue 2, section 5: over a small signed bundle, random bit flips and truncations are either refused
/// with a named reason or leave the verified content unchanged (e.g. a flip in a ZIP field nobody reads).
/// Verification never throws.</summary>
public sealed class CorruptionPropertyTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly byte[] _bundle;
    private readonly byte[] _payload;
    private readonly Manifest _manifest;
    private readonly VerificationPolicy _policy = SampleBundles.Trusting(SampleBundles.Key);

    public CorruptionPropertyTests()
    {
        _payload = SampleBundles.Payload((2 * BundleEntries.ChunkSize) + 333);
        var path = _dir.Combine("original.fwb");
        _manifest = SampleBundles.CreateSignedAsync(path, _payload).GetAwaiter().GetResult();
        _bundle = File.ReadAllBytes(path);
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void The_untouched_bundle_verifies()
    {
        Assert.True(Check(_bundle), "the original must verify");
    }

    [Fact]
    public void Flipping_bits_anywhere_is_refused_by_name_or_changes_nothing_verified()
    {
        // One to three flips per sample; positions biased to the headers and manifest at the end, where parsing happens.
        var position = Gen.Frequency(
            (1, Gen.Int[0, _bundle.Length - 1]),
            (2, Gen.Int[_bundle.Length - 2000, _bundle.Length - 1]));
        var flip = Gen.Select(position, Gen.Int[0, 7]);
        flip.Array[1, 3].Sample(flips =>
        {
            var corrupted = _bundle.ToArray();
            foreach (var (at, bit) in flips)
            {
                corrupted[at] ^= (byte)(1 << bit);
            }

            Check(corrupted);
        }, iter: 600, threads: 1);
    }

    [Fact]
    public void Truncating_anywhere_is_refused_by_name()
    {
        Gen.Int[0, _bundle.Length - 1].Sample(length =>
        {
            Assert.False(Check(_bundle[..length]), $"a bundle cut to {length} of {_bundle.Length} bytes verified");
        }, iter: 300, threads: 1);
    }

    /// <summary>True if it verified, in which case manifest and payload must be exactly the signed originals.</summary>
    private bool Check(byte[] bytes)
    {
        var path = _dir.Combine($"{Guid.NewGuid():N}.fwb");
        File.WriteAllBytes(path, bytes);
        try
        {
            var result = BundleVerifier.OpenVerified(path, _policy, out var bundle);
            using (bundle)
            {
                if (!result.IsValid)
                {
                    Assert.True(Enum.IsDefined(result.Failure), $"unnamed failure {result.Failure}");
                    Assert.False(string.IsNullOrWhiteSpace(result.Message));
                    Assert.Null(bundle);
                    return false;
                }

                Assert.Equal(_manifest, result.Manifest);
                using var payload = bundle!.OpenPayload();
                using var copy = new MemoryStream();
                payload.CopyTo(copy);
                Assert.Equal(_payload, copy.ToArray());
                return true;
            }
        }
        finally
        {
            File.Delete(path);
        }
    }
}
