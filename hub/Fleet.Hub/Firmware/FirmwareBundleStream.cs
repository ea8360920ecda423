using System.IO.Compression;
using System.Text;
using Fleet.Protocol.Bundles;

namespace Fleet.Hub.Firmware;

/// <summary>Writes a stored firmware as a signed <c>.fwb</c> (payload, manifest.json, manifest.sig; stored, not
/// deflated) into a stream that need not seek, such as an HTTP response: the payload goes from the blob store to the
/// stream in 64 KiB reads, never through a temp file. The entries carry their CRC and sizes in a data descriptor after
/// their bytes, and the central directory comes last, as ZIP allows for a stream.</summary>
internal static class FirmwareBundleStream
{
    public static async Task WriteAsync(Stream destination, FirmwareRecord record, BlobStore blobs, CancellationToken ct)
    {
        var output = new AsyncWrites(destination);
        await using (var zip = await ZipArchive.CreateAsync(output, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, ct))
        {
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

        await output.FlushAsync(ct);
    }

    /// <summary>System.IO.Compression still writes an entry's data descriptor synchronously when the entry's stream is
    /// closed, and Kestrel refuses synchronous writes. Those few bytes (descriptors, headers) are held here and go out
    /// asynchronously ahead of the next write or at the final flush; every payload byte passes straight through.</summary>
    private sealed class AsyncWrites(Stream inner) : Stream
    {
        private readonly MemoryStream _held = new();

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => _held.Write(buffer, offset, count);

        public override void Write(ReadOnlySpan<byte> buffer) => _held.Write(buffer);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await DrainAsync(cancellationToken);
            await inner.WriteAsync(buffer, cancellationToken);
        }

        public override void Flush()
        {
            // Held bytes leave with the next asynchronous write or FlushAsync.
        }

        public override async Task FlushAsync(CancellationToken cancellationToken)
        {
            await DrainAsync(cancellationToken);
            await inner.FlushAsync(cancellationToken);
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        private async Task DrainAsync(CancellationToken ct)
        {
            if (_held.Length > 0)
            {
                await inner.WriteAsync(_held.GetBuffer().AsMemory(0, (int)_held.Length), ct);
                _held.SetLength(0);
            }
        }
    }
}
