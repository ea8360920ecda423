using Fleet.Protocol.Bundles;
using Fleet.Protocol.Signing;
using Semver;

namespace Fleet.Protocol.Tests.Bundles;

/// <summary>Builds small real bundles for tests: fixed keys and times so each test can reason about exact bytes.</summary>
internal static class SampleBundles
{
    public static readonly SigningKey Key = SigningKey.FromSeed(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
    public static readonly SigningKey OtherKey = SigningKey.FromSeed(Enumerable.Range(101, 32).Select(i => (byte)i).ToArray());

    public static BundleSpec Spec(string version = "1.4.2") => new()
    {
        Product = "algae-tank",
        Version = SemVersion.Parse(version, SemVersionStyles.Strict),
        Platform = "rpi4",
        Architecture = "arm64",
        Author = "tests",
        Vcs = "abc123",
        Description = "sample",
        Created = new DateTimeOffset(2026, 1, 31, 12, 0, 0, TimeSpan.Zero),
    };

    public static byte[] Payload(int size, int seed = 7)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>A signed bundle at <paramref name="path"/> whose payload is <paramref name="payload"/>.</summary>
    public static async Task<Manifest> CreateSignedAsync(string path, byte[] payload, BundleSpec? spec = null, SigningKey? key = null)
    {
        var manifest = await BundleWriter.CreateAsync(spec ?? Spec(), (s, ct) => s.WriteAsync(payload, ct).AsTask(), path);
        await BundleWriter.SignAsync(path, key ?? Key);
        return manifest;
    }

    public static VerificationPolicy Trusting(params SigningKey[] keys) => new(keys.Select(k => k.PublicKey));
}
