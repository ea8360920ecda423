namespace Fleet.Protocol.Bundles;

/// <summary>Size bounds checked before anything is read into memory or unpacked (zip-bomb and DoS defence).</summary>
public sealed record BundleLimits
{
    public static readonly BundleLimits Default = new();

    public int MaxManifestBytes { get; init; } = 1024 * 1024;

    public int MaxSignatureBytes { get; init; } = 64 * 1024;

    public int MaxSignatures { get; init; } = 32;

    public long MaxPayloadBytes { get; init; } = 16L * 1024 * 1024 * 1024;

    /// <summary>A device holds one chunk in memory at a time, so chunks stay small.</summary>
    public int MaxChunkBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>Deflate can reach about 1032:1; anything claiming more is a bomb. Our own entries are stored (1:1).</summary>
    public int MaxCompressionRatio { get; init; } = 1100;
}
