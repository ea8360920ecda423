using System.Globalization;

namespace Fleet.Cli.Burn;

/// <summary>Writes a Raspberry Pi OS image to a card or image file, reads it back to verify, then adds the Fleet
/// files and the cloud-init first-boot hook to its FAT boot partition.
/// Nothing half-done is left behind: for a file the image is built in a temp file next to the target and renamed
/// only when complete; for a card the whole image is decoded once before the first byte is written.</summary>
internal sealed class CardBurner(TargetGuard guard)
{
    public async Task<BurnResult> BurnAsync(BurnRequest request, CancellationToken ct)
    {
        var image = DiskImage.Open(request.ImagePath);
        var target = await guard.CheckAsync(request.TargetPath, request.Confirmed, ct);
        var length = await image.DecodedLengthAsync(ct);

        var staging = Directory.CreateTempSubdirectory("fleet-burn-");
        try
        {
            var fleet = await CardContents.StageAsync(request.Serial, request.Provisioning, request.Bundle, staging.FullName, ct);
            return target.Kind == TargetKind.File
                ? await BurnFileAsync(image, length, target, fleet, ct)
                : await BurnDeviceAsync(image, length, target, fleet, ct);
        }
        catch (UnauthorizedAccessException)
        {
            throw new CliFailure(target.Kind == TargetKind.File
                ? $"cannot write '{target.Path}' (permission denied on its directory); pick a writable location"
                : $"cannot write '{target.Path}' (permission denied); run with sudo or as a member of the 'disk' group");
        }
        finally
        {
            staging.Delete(recursive: true);
        }
    }

    private static async Task<BurnResult> BurnFileAsync(DiskImage image, long length, BurnTarget target, string fleet, CancellationToken ct)
    {
        var temp = Path.Combine(Path.GetDirectoryName(target.Path)!, $".{Path.GetFileName(target.Path)}.fleet-burn-{Guid.NewGuid():N}.tmp");
        try
        {
            ImageDigest written;
            // The finished image holds the device's private key: readable by its owner only, from the first byte.
            await using (var output = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.ReadWrite,
                Share = FileShare.None,
                BufferSize = 1 << 20,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            }))
            {
                written = await ConsoleProgress.RunAsync("Writing image", length, p => image.DecodeAsync(output, p, ct));
                output.Flush(flushToDisk: true);
                await VerifyAsync(output, written, target.Path, ct);
            }

            var boot = await AddFleetFilesAsync(temp, written.Length, fleet, image.Path, ct);
            File.Move(temp, target.Path, overwrite: true);
            return new BurnResult(target, written, boot);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private static async Task<BurnResult> BurnDeviceAsync(DiskImage image, long length, BurnTarget target, string fleet, CancellationToken ct)
    {
        var (exit, output, _) = await HostTool.Blockdev.RunAsync(["--getsize64", target.Path], ct);
        if (exit == 0 && long.TryParse(output.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var capacity) && capacity < length)
        {
            throw new CliFailure($"target '{target.Path}' holds {capacity} bytes but the image needs {length}; use a larger card. Nothing was written");
        }

        // A truncated download must fail before the card is touched, so decode the whole image once first.
        var expected = image.Compressed
            ? await ConsoleProgress.RunAsync("Checking image", length, p => image.DecodeAsync(null, p, ct))
            : null;

        ImageDigest written;
        await using (var device = new FileStream(target.Path, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1 << 20))
        {
            written = await ConsoleProgress.RunAsync("Writing image", length, p => image.DecodeAsync(device, p, ct));
            device.Flush(flushToDisk: true);
        }

        if (expected is not null && expected != written)
        {
            throw new CliFailure($"image '{image.Path}' changed while it was written (sha256 {expected.Sha256} then {written.Sha256}); burn again");
        }

        // Drop the kernel's cached copy so the read-back comes from the card, not from memory.
        await HostTool.Blockdev.RunAsync(["--flushbufs", target.Path], ct);
        await using (var device = new FileStream(target.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20))
        {
            await VerifyAsync(device, written, target.Path, ct);
        }

        var boot = await AddFleetFilesAsync(target.Path, written.Length, fleet, image.Path, ct);
        await HostTool.Blockdev.RunAsync(["--flushbufs", target.Path], ct);
        // Let the host see the new partitions; a reader without partition scanning may refuse, which is harmless.
        await HostTool.Blockdev.RunAsync(["--rereadpt", target.Path], ct);
        return new BurnResult(target, written, boot);
    }

    private static async Task VerifyAsync(Stream written, ImageDigest expected, string where, CancellationToken ct)
    {
        var read = await ConsoleProgress.RunAsync("Verifying", expected.Length, p => DiskImage.ReadBackAsync(written, expected.Length, p, ct));
        if (read != expected)
        {
            throw new CliFailure($"verification failed on '{where}': read back {read.Length} bytes with sha256 {read.Sha256}, wrote {expected.Length} with {expected.Sha256}; the card may be faulty");
        }
    }

    private static async Task<PartitionEntry> AddFleetFilesAsync(string disk, long length, string fleet, string imageName, CancellationToken ct)
    {
        PartitionEntry partition;
        await using (var stream = new FileStream(disk, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            partition = MbrPartitionTable.BootPartition(stream, length, imageName);
        }

        var boot = new BootPartition(disk, partition);
        var userData = CloudInitUserData.AddInstallCommand(await boot.TryReadTextAsync(CloudInitUserData.FileName, ct), imageName);
        await boot.CopyTreeAsync(fleet, ct);

        var userDataFile = Path.Combine(Path.GetDirectoryName(fleet)!, CloudInitUserData.FileName);
        await File.WriteAllTextAsync(userDataFile, userData, ct);
        await boot.WriteFileAsync(userDataFile, CloudInitUserData.FileName, ct);
        return partition;
    }
}
