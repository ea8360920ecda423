using System.IO.Compression;

namespace Fleet.Protocol.Bundles;

/// <summary>An opened <c>.fwb</c> whose ZIP structure was checked: exactly the three entries, sizes bounded,
/// manifest and signatures read into memory (both small). The payload is left on disk for streaming.</summary>
internal sealed class BundleArchive : IDisposable
{
    private readonly FileStream _file;
    private readonly ZipArchive _zip;

    private BundleArchive(FileStream file, ZipArchive zip, ZipArchiveEntry payload, byte[] manifest, byte[] signatures)
    {
        _file = file;
        _zip = zip;
        PayloadEntry = payload;
        ManifestBytes = manifest;
        SignatureBytes = signatures;
    }

    public ZipArchiveEntry PayloadEntry { get; }

    public byte[] ManifestBytes { get; }

    public byte[] SignatureBytes { get; }

    public long PayloadLength => PayloadEntry.Length;

    public static VerificationResult TryOpen(string path, BundleLimits limits, out BundleArchive? archive)
    {
        archive = null;
        FileStream file;
        try
        {
            // Unbuffered: the payload is read in 1 MiB blocks, so a FileStream buffer would only add a copy.
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return VerificationResult.Fail(VerificationFailure.Unreadable, $"cannot open {path}: {ex.Message}");
        }

        ZipArchive? zip = null;
        try
        {
            if (!HasEndRecord(file))
            {
                file.Dispose();
                return VerificationResult.Fail(VerificationFailure.TruncatedArchive, $"{Path.GetFileName(path)} has no ZIP end record: it is truncated or not a .fwb bundle; copy or download it again");
            }

            zip = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true);
            var result = CheckEntries(zip, limits, out var manifestEntry, out var signatureEntry, out var payloadEntry);
            if (!result.IsValidStep())
            {
                zip.Dispose();
                file.Dispose();
                return result;
            }

            result = ReadSmall(manifestEntry!, limits.MaxManifestBytes, VerificationFailure.ManifestTooLarge, out var manifest);
            if (!result.IsValidStep())
            {
                zip.Dispose();
                file.Dispose();
                return result;
            }

            result = ReadSmall(signatureEntry!, limits.MaxSignatureBytes, VerificationFailure.SignaturesTooLarge, out var signatures);
            if (!result.IsValidStep())
            {
                zip.Dispose();
                file.Dispose();
                return result;
            }

            archive = new BundleArchive(file, zip, payloadEntry!, manifest!, signatures!);
            return Ok;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            zip?.Dispose();
            file.Dispose();
            return ReadFailure(ex, path);
        }
    }

    /// <summary>A read stream over exactly the payload entry's bytes.</summary>
    public Stream OpenPayload() => PayloadEntry.Open();

    public void Dispose()
    {
        _zip.Dispose();
        _file.Dispose();
    }

    internal static readonly VerificationResult Ok = new(VerificationFailure.None, "ok");

    /// <summary>Maps what System.IO.Compression throws on hostile bytes to a named failure.</summary>
    internal static VerificationResult ReadFailure(Exception ex, string what) => ex switch
    {
        EndOfStreamException => VerificationResult.Fail(VerificationFailure.TruncatedArchive, $"{what} ends early: the file is truncated; copy or download it again"),
        InvalidDataException when ex.Message.Contains("End of Central Directory", StringComparison.OrdinalIgnoreCase)
            => VerificationResult.Fail(VerificationFailure.TruncatedArchive, $"{what} has no ZIP end record: it is truncated or not a .fwb bundle"),
        InvalidDataException => VerificationResult.Fail(VerificationFailure.CorruptArchive, $"{what} is not a well-formed ZIP ({ex.Message})"),
        NotSupportedException => VerificationResult.Fail(VerificationFailure.CorruptArchive, $"{what} uses an unsupported ZIP feature ({ex.Message})"),
        IOException => VerificationResult.Fail(VerificationFailure.Unreadable, $"cannot read {what}: {ex.Message}"),
        UnauthorizedAccessException => VerificationResult.Fail(VerificationFailure.Unreadable, $"cannot read {what}: {ex.Message}"),
        _ => VerificationResult.Fail(VerificationFailure.CorruptArchive, $"{what} is not a well-formed bundle ({ex.GetType().Name}: {ex.Message})"),
    };

    /// <summary>Looks for the end-of-central-directory signature (APPNOTE 4.3.16) in the last 64 KiB + 22 bytes,
    /// so a cut-off file is named as truncated rather than as some other ZIP error.</summary>
    private static bool HasEndRecord(FileStream file)
    {
        const int MinimumRecord = 22;
        var length = file.Length;
        if (length < MinimumRecord)
        {
            return false;
        }

        var tail = (int)Math.Min(length, MinimumRecord + ushort.MaxValue);
        var buffer = new byte[tail];
        file.Position = length - tail;
        file.ReadExactly(buffer);
        file.Position = 0;
        for (var i = tail - MinimumRecord; i >= 0; i--)
        {
            if (buffer[i] == 0x50 && buffer[i + 1] == 0x4b && buffer[i + 2] == 0x05 && buffer[i + 3] == 0x06)
            {
                return true;
            }
        }

        return false;
    }

    private static VerificationResult CheckEntries(ZipArchive zip, BundleLimits limits,
        out ZipArchiveEntry? manifest, out ZipArchiveEntry? signatures, out ZipArchiveEntry? payload)
    {
        manifest = signatures = payload = null;
        foreach (var entry in zip.Entries)
        {
            switch (entry.FullName)
            {
                case BundleEntries.Manifest when manifest is null: manifest = entry; break;
                case BundleEntries.Signatures when signatures is null: signatures = entry; break;
                case BundleEntries.Payload when payload is null: payload = entry; break;
                case BundleEntries.Manifest or BundleEntries.Signatures or BundleEntries.Payload:
                    return VerificationResult.Fail(VerificationFailure.DuplicateEntry, $"the bundle holds '{entry.FullName}' twice; two readers could pick different ones");
                default:
                    return VerificationResult.Fail(VerificationFailure.ExtraEntry, $"the bundle holds an unexpected entry '{Printable(entry.FullName)}'; a .fwb has only manifest.json, manifest.sig and payload");
            }

            if (entry.Length < 0 || entry.CompressedLength < 0)
            {
                return VerificationResult.Fail(VerificationFailure.CorruptArchive, $"entry '{entry.FullName}' declares a negative size");
            }

            // Declared sizes are checked before any byte is inflated: a bomb claims a small input and a huge output.
            if (entry.Length > Math.Max(entry.CompressedLength, 1) * limits.MaxCompressionRatio)
            {
                return VerificationResult.Fail(VerificationFailure.ZipBomb, $"entry '{entry.FullName}' claims to expand {entry.CompressedLength} bytes into {entry.Length}; refusing a possible zip bomb");
            }

            // Deflate never grows data by more than ~5 bytes per 16 KiB block, so compressed data much larger than the
            // declared size hides output beyond it (System.IO.Compression stops at the declared size; others may not).
            if (entry.CompressedLength > entry.Length + (entry.Length / 100) + 1024)
            {
                return VerificationResult.Fail(VerificationFailure.ZipBomb, $"entry '{entry.FullName}' holds {entry.CompressedLength} compressed bytes but declares only {entry.Length}; its data expands beyond the declared size (zip bomb)");
            }
        }

        var missing = new[] { (BundleEntries.Manifest, manifest), (BundleEntries.Signatures, signatures), (BundleEntries.Payload, payload) }
            .Where(p => p.Item2 is null).Select(p => p.Item1).ToList();
        if (missing.Count > 0)
        {
            return VerificationResult.Fail(VerificationFailure.MissingEntry, $"the bundle has no {string.Join(", ", missing)} entry; create it with 'fleet firmware create'");
        }

        return Ok;
    }

    /// <summary>Reads a small entry, never more than <paramref name="max"/> bytes and never more than it declared.</summary>
    private static VerificationResult ReadSmall(ZipArchiveEntry entry, int max, VerificationFailure tooLarge, out byte[]? content)
    {
        content = null;
        if (entry.Length > max)
        {
            return VerificationResult.Fail(tooLarge, $"{entry.FullName} declares {entry.Length} bytes; the limit is {max}");
        }

        var declared = (int)entry.Length;
        var buffer = new byte[declared];
        using var stream = entry.Open();
        var read = 0;
        while (read < declared)
        {
            var n = stream.Read(buffer, read, declared - read);
            if (n == 0)
            {
                return VerificationResult.Fail(VerificationFailure.TruncatedArchive, $"{entry.FullName} holds {read} bytes but declares {declared}: the file is truncated or damaged");
            }

            read += n;
        }

        Span<byte> probe = stackalloc byte[1];
        if (stream.Read(probe) != 0)
        {
            return VerificationResult.Fail(VerificationFailure.ZipBomb, $"{entry.FullName} expands beyond its declared {declared} bytes; refusing a possible zip bomb");
        }

        content = buffer;
        return Ok;
    }

    private static string Printable(string name)
    {
        var clean = new string([.. name.Take(60).Select(c => char.IsControl(c) ? '?' : c)]);
        return name.Length > 60 ? clean + "…" : clean;
    }
}
