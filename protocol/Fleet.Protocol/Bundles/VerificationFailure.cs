namespace Fleet.Protocol.Bundles;

/// <summary>Why a bundle or manifest was refused. <see cref="None"/> means it verified.
/// Every refusal carries one of these names plus a message for people.</summary>
public enum VerificationFailure
{
    None = 0,

    /// <summary>The file could not be opened or read (missing, permissions, I/O error).</summary>
    Unreadable,

    /// <summary>Not a complete ZIP: the end record is missing, or an entry ends early.</summary>
    TruncatedArchive,

    /// <summary>A ZIP structure that does not hold together (bad headers, CRC mismatch, unsupported compression).</summary>
    CorruptArchive,

    MissingEntry,
    ExtraEntry,
    DuplicateEntry,

    /// <summary>An entry expands beyond its declared size, or declares a size far beyond what it could hold.</summary>
    ZipBomb,

    /// <summary><c>manifest.json</c> over the limit (1 MiB by default).</summary>
    ManifestTooLarge,

    /// <summary><c>manifest.sig</c> over the limit (64 KiB by default) or with too many entries.</summary>
    SignaturesTooLarge,

    /// <summary>Not UTF-8, not JSON, wrong shape, unknown or duplicate fields, or a uuid that does not match the content.</summary>
    MalformedManifest,

    /// <summary><c>version</c> is not SemVer 2.0.</summary>
    InvalidVersion,

    /// <summary><c>manifest.sig</c> holds no signature.</summary>
    Unsigned,

    /// <summary><c>manifest.sig</c> is not the expected JSON, or an entry has a bad keyId or signature encoding.</summary>
    MalformedSignature,

    /// <summary>Only signatures with an algorithm other than ed25519.</summary>
    UnknownAlgorithm,

    /// <summary>No signature is by a trusted key.</summary>
    UnknownKey,

    /// <summary>A signature by a trusted key does not match the manifest bytes.</summary>
    BadSignature,

    ProductMismatch,
    PlatformMismatch,
    ArchitectureMismatch,

    /// <summary>Lower than the installed version, and not signed with <c>allowDowngrade</c>.</summary>
    DowngradeRefused,

    /// <summary>Payload larger than the policy allows.</summary>
    PayloadTooLarge,

    /// <summary>The payload entry's length differs from the manifest's <c>payload.size</c>.</summary>
    SizeMismatch,

    /// <summary>A payload chunk's bytes differ from the manifest's chunk hash.</summary>
    ChunkHashMismatch,

    /// <summary>The whole-payload SHA-256 differs from <c>payload.sha256</c>.</summary>
    PayloadHashMismatch,
}
