using System.Security.Cryptography;
using Semver;

namespace Fleet.Protocol.Bundles;

/// <summary>The signed description of a firmware bundle (<c>manifest.json</c>, DESIGN.md "Firmware bundle").
/// Parsed only from bytes whose signature was checked, or built by <see cref="BundleWriter"/>.</summary>
public sealed record Manifest
{
    public const int CurrentFormat = 1;

    public int Format { get; init; } = CurrentFormat;

    /// <summary>Derived from the rest of the manifest (see <see cref="ManifestCodec.DeriveUuid"/>), so re-signing keeps it.</summary>
    public required Guid Uuid { get; init; }

    public required string Product { get; init; }

    public required SemVersion Version { get; init; }

    public required string Platform { get; init; }

    public required string Architecture { get; init; }

    public string Author { get; init; } = "";

    public string Vcs { get; init; } = "";

    public string Description { get; init; } = "";

    /// <summary>UTC, whole seconds.</summary>
    public required DateTimeOffset Created { get; init; }

    /// <summary>Free-form string pairs; written in ordinal key order.</summary>
    public IReadOnlyDictionary<string, string> Misc { get; init; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

    public required PayloadInfo Payload { get; init; }

    /// <summary>Lets a device install this even if its installed version is higher. Written only when true.</summary>
    public bool AllowDowngrade { get; init; }

    /// <summary>The uuid as text, the form used on the wire and in topics.</summary>
    public string Id => Uuid.ToString("D");

    /// <summary>Whether <paramref name="bytes"/> are exactly chunk <paramref name="index"/> of the payload
    /// (the device checks each chunk as it arrives, before writing it to the staging file).</summary>
    public bool ChunkMatches(int index, ReadOnlySpan<byte> bytes)
    {
        if (index < 0 || index >= Payload.Chunks.Count)
        {
            return false;
        }

        var chunk = Payload.Chunks[index];
        if (bytes.Length != chunk.Size)
        {
            return false;
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(bytes, hash);
        Span<byte> expected = stackalloc byte[32];
        return Convert.FromHexString(chunk.Sha256, expected, out _, out var written) == System.Buffers.OperationStatus.Done
            && written == 32
            && CryptographicOperations.FixedTimeEquals(hash, expected);
    }

    /// <summary>Product, platform and architecture end up in paths, topics and URLs, so they use a safe alphabet:
    /// 1-64 characters of letters, digits, '-', '_' and '.'.</summary>
    public static bool IsValidName(string? value) =>
        value is { Length: > 0 and <= 64 } && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    /// <summary>Value equality over the canonical JSON (records would compare the chunk list by reference).</summary>
    public bool Equals(Manifest? other) =>
        other is not null && Uuid == other.Uuid && ToJson().AsSpan().SequenceEqual(other.ToJson());

    public override int GetHashCode() => Uuid.GetHashCode();

    /// <summary>The exact canonical <c>manifest.json</c> bytes for this manifest.</summary>
    public byte[] ToJson() => ManifestCodec.Serialize(this, includeUuid: true);
}
