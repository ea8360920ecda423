namespace Fleet.Protocol.Bundles;

/// <summary>A bundle file that passed <see cref="BundleVerifier.OpenVerified"/>, kept open so the bytes read
/// from <see cref="OpenPayload"/> come from the same file that was verified (a rename over the path does not
/// change what this reads).</summary>
public sealed class VerifiedBundle : IDisposable
{
    private readonly BundleArchive _archive;

    internal VerifiedBundle(BundleArchive archive, Manifest manifest, string signedBy)
    {
        _archive = archive;
        Manifest = manifest;
        SignedBy = signedBy;
    }

    public Manifest Manifest { get; }

    public string SignedBy { get; }

    /// <summary>The exact signed <c>manifest.json</c> bytes (devices get these in the <c>update</c> command).</summary>
    public ReadOnlyMemory<byte> ManifestBytes => _archive.ManifestBytes;

    /// <summary>The exact <c>manifest.sig</c> bytes.</summary>
    public ReadOnlyMemory<byte> SignatureBytes => _archive.SignatureBytes;

    /// <summary>A fresh read stream over the payload (<see cref="PayloadInfo.Size"/> bytes). Not thread-safe:
    /// read one payload stream at a time.</summary>
    public Stream OpenPayload() => _archive.OpenPayload();

    public void Dispose() => _archive.Dispose();
}
