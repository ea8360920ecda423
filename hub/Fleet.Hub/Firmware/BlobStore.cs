using System.Security.Cryptography;

namespace Fleet.Hub.Firmware;

/// <summary>Content-addressed payload files: <c>blobs/sha256/ab/abcdef…</c>. The same bytes are stored once, and a
/// blob never changes after it is written (temp file, fsync, rename).</summary>
internal sealed class BlobStore(string root)
{
    public string Root { get; } = root;

    public string PathOf(string sha256) => Path.Combine(Root, "sha256", sha256[..2], sha256);

    public bool Exists(string sha256) => File.Exists(PathOf(sha256));

    public Stream Open(string sha256) => File.OpenRead(PathOf(sha256));

    /// <summary>Copies <paramref name="content"/> into the store, checking it hashes to <paramref name="expectedSha256"/>;
    /// on mismatch nothing is stored.</summary>
    public async Task<bool> PutAsync(Stream content, string expectedSha256, CancellationToken ct)
    {
        if (Exists(expectedSha256))
        {
            return true;
        }

        var final = PathOf(expectedSha256);
        Directory.CreateDirectory(Path.GetDirectoryName(final)!);
        var temp = Path.Combine(Root, $".upload-{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(Root);
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                var buffer = new byte[1 << 16];
                int read;
                while ((read = await content.ReadAsync(buffer, ct)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), ct);
                }

                await file.FlushAsync(ct);
                file.Flush(flushToDisk: true);
            }

            if (!string.Equals(Convert.ToHexStringLower(hash.GetHashAndReset()), expectedSha256, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            File.Move(temp, final, overwrite: true);
            return true;
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    public void Delete(string sha256)
    {
        var path = PathOf(sha256);
        if (File.Exists(path))
        {
            File.Delete(path);
        }
    }
}
