using System.IO.Compression;
using System.Text;
using Fleet.Protocol.Bundles;
using Fleet.Protocol.Signing;

namespace Fleet.Protocol.Tests.Bundles;

/// <summary>Writes ZIP files with exactly the entries a test asks for, to build hostile bundles by hand.</summary>
internal static class CraftedBundle
{
    public static void Write(string path, params (string Name, byte[] Content)[] entries) =>
        Write(path, CompressionLevel.NoCompression, entries);

    public static void Write(string path, CompressionLevel level, params (string Name, byte[] Content)[] entries)
    {
        using var file = File.Create(path);
        using var zip = new ZipArchive(file, ZipArchiveMode.Create);
        foreach (var (name, content) in entries)
        {
            var entry = zip.CreateEntry(name, level);
            using var s = entry.Open();
            s.Write(content);
        }
    }

    public static byte[] SignatureList(params BundleSignature[] signatures) => Encoding.UTF8.GetBytes(
        "[" + string.Join(",", signatures.Select(s => $"{{\"keyId\":\"{s.KeyId}\",\"alg\":\"{s.Alg}\",\"sig\":\"{s.Sig}\"}}")) + "]");

    public static byte[] SignedBy(SigningKey key, byte[] manifest) =>
        SignatureList(new BundleSignature(key.KeyId, "ed25519", Convert.ToBase64String(key.Sign(manifest))));

    /// <summary>A manifest (with a correct derived uuid) for <paramref name="payload"/>, as canonical bytes.</summary>
    public static Manifest ManifestFor(byte[] payload, Func<Manifest, Manifest>? change = null)
    {
        var chunks = payload.Chunk(BundleEntries.ChunkSize)
            .Select(c => new PayloadChunk(c.Length, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(c))))
            .ToList();
        var m = new Manifest
        {
            Uuid = Guid.Empty,
            Product = "algae-tank",
            Version = Semver.SemVersion.Parse("1.4.2", Semver.SemVersionStyles.Strict),
            Platform = "rpi4",
            Architecture = "arm64",
            Created = new DateTimeOffset(2026, 1, 31, 12, 0, 0, TimeSpan.Zero),
            Payload = new PayloadInfo(payload.Length, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(payload)), chunks),
        };
        m = change?.Invoke(m) ?? m;
        return m with { Uuid = ManifestCodec.DeriveUuid(m) };
    }

    /// <summary>A bundle with this manifest's bytes, signed by <see cref="SampleBundles.Key"/>, and this payload.</summary>
    public static void WriteSigned(string path, byte[] manifestJson, byte[] payload) =>
        Write(path, (BundleEntries.Manifest, manifestJson), (BundleEntries.Signatures, SignedBy(SampleBundles.Key, manifestJson)), (BundleEntries.Payload, payload));
}
