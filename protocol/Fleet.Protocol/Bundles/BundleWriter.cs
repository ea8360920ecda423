using System.Globalization;
using System.IO.Compression;
using Fleet.Protocol.Files;
using Fleet.Protocol.Packaging;
using Fleet.Protocol.Signing;

namespace Fleet.Protocol.Bundles;

/// <summary>Creates and signs <c>.fwb</c> bundles. Output files are written to a temp file and renamed,
/// so a failure or a kill never leaves a half-written bundle at the target path.</summary>
public static class BundleWriter
{
    /// <summary>Builds a bundle from <paramref name="payloadPath"/>: a directory is packed as a deterministic tar
    /// (see <see cref="PayloadArchive"/>), a file is taken as is. Streams in one pass: the payload entry is stored
    /// uncompressed while its chunk hashes are computed. Progress reports payload bytes written.</summary>
    public static async Task<Manifest> CreateAsync(BundleSpec spec, string payloadPath, string outputPath,
        IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        if (Directory.Exists(payloadPath))
        {
            return await CreateAsync(spec, (stream, ct) => PayloadArchive.WriteDirectoryAsync(payloadPath, stream, ct), outputPath, progress, cancellationToken);
        }

        if (!File.Exists(payloadPath))
        {
            throw new FileNotFoundException($"payload {payloadPath} does not exist", payloadPath);
        }

        return await CreateAsync(spec, async (stream, ct) =>
        {
            await using var input = new FileStream(payloadPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan | FileOptions.Asynchronous);
            await input.CopyToAsync(stream, PayloadDigest.BufferSize, ct);
        }, outputPath, progress, cancellationToken);
    }

    /// <summary>Builds a bundle whose payload is whatever <paramref name="writePayload"/> writes.</summary>
    public static async Task<Manifest> CreateAsync(BundleSpec spec, Func<Stream, CancellationToken, Task> writePayload, string outputPath,
        IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        var created = (spec.Created ?? DateTimeOffset.UtcNow).ToUniversalTime();
        created = new DateTimeOffset(created.Year, created.Month, created.Day, created.Hour, created.Minute, created.Second, TimeSpan.Zero);
        Manifest? manifest = null;
        await AtomicFile.WriteAsync(outputPath, async file =>
        {
            using var zip = new ZipArchive(file, ZipArchiveMode.Create, leaveOpen: true);
            var payloadEntry = zip.CreateEntry(BundleEntries.Payload, CompressionLevel.NoCompression);
            payloadEntry.LastWriteTime = created;
            PayloadInfo payload;
            await using (var entryStream = payloadEntry.Open())
            {
                await using var hashing = new HashingWriteStream(entryStream, progress);
                await writePayload(hashing, cancellationToken);
                payload = hashing.Complete();
            }

            var draft = new Manifest
            {
                Uuid = Guid.Empty,
                Product = spec.Product,
                Version = spec.Version,
                Platform = spec.Platform,
                Architecture = spec.Architecture,
                Author = spec.Author,
                Vcs = spec.Vcs,
                Description = spec.Description,
                Created = created,
                Misc = new SortedDictionary<string, string>(spec.Misc.ToDictionary(), StringComparer.Ordinal),
                Payload = payload,
                AllowDowngrade = spec.AllowDowngrade,
            };
            manifest = draft with { Uuid = ManifestCodec.DeriveUuid(draft) };
            var json = manifest.ToJson();

            // What we write must be what every verifier accepts: re-parse it before it reaches the disk.
            var check = ManifestCodec.TryParse(json, BundleLimits.Default, out _);
            if (!check.IsValidStep())
            {
                throw new BundleFormatException(check.Failure, $"cannot create the bundle: {check.Message}");
            }

            WriteEntry(zip, BundleEntries.Manifest, json, created);
            WriteEntry(zip, BundleEntries.Signatures, SignatureCodec.Serialize([]), created);
        }, AtomicFile.PublicMode, overwrite: true);
        return manifest!;
    }

    /// <summary>Adds <paramref name="key"/>'s signature to the bundle, replacing an earlier one by the same key and
    /// keeping the others (key rotation). The manifest bytes are copied verbatim, so the uuid never changes.
    /// The bundle is rewritten to a temp file and renamed into place.</summary>
    public static async Task<IReadOnlyList<BundleSignature>> SignAsync(string bundlePath, SigningKey key,
        IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        var opened = BundleArchive.TryOpen(bundlePath, BundleLimits.Default, out var archive);
        if (!opened.IsValidStep())
        {
            throw new BundleFormatException(opened.Failure, opened.Message);
        }

        using (archive)
        {
            var manifestBytes = archive!.ManifestBytes;
            var parsed = ManifestCodec.TryParse(manifestBytes, BundleLimits.Default, out var manifest);
            if (!parsed.IsValidStep())
            {
                throw new BundleFormatException(parsed.Failure, parsed.Message);
            }

            var sigs = SignatureCodec.TryParse(archive.SignatureBytes, BundleLimits.Default, out var existing);
            if (!sigs.IsValidStep())
            {
                throw new BundleFormatException(sigs.Failure, sigs.Message);
            }

            var signature = new BundleSignature(key.KeyId, BundleSignature.Ed25519, Convert.ToBase64String(key.Sign(manifestBytes)));
            List<BundleSignature> signatures = [.. existing.Where(s => s.KeyId != key.KeyId), signature];
            var created = manifest!.Created;

            await AtomicFile.WriteAsync(bundlePath, async file =>
            {
                using var zip = new ZipArchive(file, ZipArchiveMode.Create, leaveOpen: true);
                var payloadEntry = zip.CreateEntry(BundleEntries.Payload, CompressionLevel.NoCompression);
                payloadEntry.LastWriteTime = created;
                await using (var source = archive.OpenPayload())
                await using (var target = payloadEntry.Open())
                {
                    var buffer = new byte[PayloadDigest.BufferSize];
                    long copied = 0;
                    int n;
                    while ((n = await source.ReadAsync(buffer, cancellationToken)) > 0)
                    {
                        await target.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
                        copied += n;
                        progress?.Report(copied);
                    }

                    if (copied != manifest.Payload.Size)
                    {
                        throw new BundleFormatException(VerificationFailure.SizeMismatch, $"the payload holds {copied} bytes but the manifest says {manifest.Payload.Size}");
                    }
                }

                WriteEntry(zip, BundleEntries.Manifest, manifestBytes, created);
                WriteEntry(zip, BundleEntries.Signatures, SignatureCodec.Serialize(signatures), created);
            }, AtomicFile.PublicMode, overwrite: true);
            return signatures;
        }
    }

    /// <summary>Rough payload size for a progress bar: a file's length, or a directory's file bytes plus tar headers.</summary>
    public static long EstimatePayloadSize(string payloadPath)
    {
        if (File.Exists(payloadPath))
        {
            return new FileInfo(payloadPath).Length;
        }

        if (!Directory.Exists(payloadPath))
        {
            return 0;
        }

        long total = 1024;
        foreach (var entry in new DirectoryInfo(payloadPath).EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
        {
            total += 512 + (entry is FileInfo f ? (f.Length + 511) / 512 * 512 : 0);
        }

        return total;
    }

    private static void WriteEntry(ZipArchive zip, string name, byte[] content, DateTimeOffset time)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.NoCompression);
        entry.LastWriteTime = time;
        using var s = entry.Open();
        s.Write(content);
    }

    internal static string Format(DateTimeOffset t) => t.UtcDateTime.ToString(ManifestCodec.CreatedFormat, CultureInfo.InvariantCulture);
}
