using System.Globalization;
using System.Security.Cryptography;

namespace Fleet.Cli.Burn;

/// <summary>A Raspberry Pi OS image to burn: a raw <c>.img</c> or an xz-compressed <c>.img.xz</c>, decoded by the
/// host's <c>xz</c> (xz-utils), which checks the stream's CRC and reports a truncated file as an error.</summary>
internal sealed class DiskImage
{
    private static readonly byte[] XzMagic = [0xfd, (byte)'7', (byte)'z', (byte)'X', (byte)'Z', 0x00];

    private DiskImage(string path, bool compressed)
    {
        Path = path;
        Compressed = compressed;
    }

    public string Path { get; }

    public bool Compressed { get; }

    public static DiskImage Open(string path)
    {
        if (Directory.Exists(path))
        {
            throw new CliFailure($"image '{path}' is a directory; pass a Raspberry Pi OS .img or .img.xz file");
        }

        if (!File.Exists(path))
        {
            throw new CliFailure($"image '{path}' not found; download Raspberry Pi OS Lite (.img.xz) and pass its path with --image");
        }

        var head = new byte[XzMagic.Length];
        int read;
        using (var file = File.OpenRead(path))
        {
            read = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }

        if (read == 0)
        {
            throw new CliFailure($"image '{path}' is empty; download it again");
        }

        return new DiskImage(System.IO.Path.GetFullPath(path), read == head.Length && head.AsSpan().SequenceEqual(XzMagic));
    }

    /// <summary>The decoded size; for xz read from the stream index, which also catches most truncated downloads early.</summary>
    public async Task<long> DecodedLengthAsync(CancellationToken ct)
    {
        if (!Compressed)
        {
            return new FileInfo(Path).Length;
        }

        var (exit, output, error) = await HostTool.Xz.RunAsync(["--robot", "--list", Path], ct);
        var totals = output.Split('\n').FirstOrDefault(l => l.StartsWith("totals\t", StringComparison.Ordinal))?.Split('\t');
        if (exit != 0 || totals is null || totals.Length < 5 ||
            !long.TryParse(totals[4], NumberStyles.None, CultureInfo.InvariantCulture, out var length) || length == 0)
        {
            throw Damaged(error);
        }

        return length;
    }

    /// <summary>Streams the decoded image into <paramref name="destination"/> (or only hashes it when null). A
    /// corrupt or truncated xz stream throws before the call returns; the caller decides what to throw away.</summary>
    public async Task<ImageDigest> DecodeAsync(Stream? destination, IProgress<long> progress, CancellationToken ct)
    {
        if (!Compressed)
        {
            await using var file = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
            return await CopyAsync(file, destination, progress, ct);
        }

        using var xz = HostTool.Xz.Start(["--decompress", "--stdout", "--threads=1", Path]);
        var error = xz.StandardError.ReadToEndAsync(ct);
        ImageDigest digest;
        try
        {
            digest = await CopyAsync(xz.StandardOutput.BaseStream, destination, progress, ct);
            await xz.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            xz.Kill();
            throw;
        }

        if (xz.ExitCode != 0)
        {
            throw Damaged(await error);
        }

        return digest;
    }

    /// <summary>SHA-256 of the first <paramref name="length"/> bytes of a written file or device.</summary>
    public static async Task<ImageDigest> ReadBackAsync(Stream written, long length, IProgress<long> progress, CancellationToken ct)
    {
        written.Seek(0, SeekOrigin.Begin);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        long done = 0;
        while (done < length)
        {
            var n = await written.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, length - done)), ct);
            if (n == 0)
            {
                break;
            }

            hash.AppendData(buffer, 0, n);
            done += n;
            progress.Report(done);
        }

        return new ImageDigest(done, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    private static async Task<ImageDigest> CopyAsync(Stream source, Stream? destination, IProgress<long> progress, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        long done = 0;
        int n;
        while ((n = await source.ReadAsync(buffer, ct)) > 0)
        {
            hash.AppendData(buffer, 0, n);
            if (destination is not null)
            {
                await destination.WriteAsync(buffer.AsMemory(0, n), ct);
            }

            done += n;
            progress.Report(done);
        }

        return new ImageDigest(done, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    private CliFailure Damaged(string xzError)
    {
        var reason = xzError.Trim().Split('\n').LastOrDefault(l => l.Length > 0)?.Replace($"xz: {Path}: ", string.Empty, StringComparison.Ordinal);
        return new CliFailure($"image '{Path}' is truncated or corrupt ({reason ?? "xz failed"}); download it again. Nothing was written");
    }
}
