using System.IO.Compression;
using System.Text;
using Fleet.Protocol.Bundles;

namespace Fleet.Hub.Firmware;

/// <summary>Writes a stored firmware as a signed <c>.fwb</c> (payload, manifest.json, manifest.sig; stored, not
/// deflated) into a stream that need not seek, such as an HTTP response: the payload goes from the blob store to the
/// stream in 64 KiB reads, never through a temp file.</summary>
internal static class FirmwareBundleStream
{
    public static async Task WriteAsync(Stream destination, FirmwareRecord record, BlobStore blobs, CancellationToken ct)
    {
        await using var zip = await ZipArchive.CreateAsync(destination, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, ct);
        var payload = zip.CreateEntry(BundleEntries.Payload, CompressionLevel.NoCompression);
        await using (var to = await payload.OpenAsync(ct))
        await using (var from = blobs.Open(record.PayloadSha256))
        {
            await from.CopyToAsync(to, 1 << 16, ct);
        }

        var manifest = zip.CreateEntry(BundleEntries.Manifest, CompressionLevel.NoCompression);
        await using (var to = await manifest.OpenAsync(ct))
        {
            await to.WriteAsync(record.Manifest, ct);
        }

        var signatures = zip.CreateEntry(BundleEntries.Signatures, CompressionLevel.NoCompression);
        await using (var to = await signatures.OpenAsync(ct))
        {
            await to.WriteAsync(Encoding.UTF8.GetBytes(record.Signatures), ct);
        }
    }
}
