using System.Globalization;

namespace Fleet.Cli.Burn;

/// <summary>Refuses targets that must never be overwritten: a block device without --yes, the disk holding the
/// running system's root, a disk with a mounted, swapped-on or device-mapped partition, and an image file that a
/// loop device or bind mount is using. Decisions use device numbers (mountinfo, sysfs), not names, so a symlink
/// such as /dev/disk/by-id/... cannot slip past.</summary>
internal sealed class TargetGuard(IReadOnlyList<MountEntry> mounts, string sysfs = "/sys", string swaps = "/proc/swaps")
{
    public async Task<BurnTarget> CheckAsync(string target, bool confirmed, CancellationToken ct)
    {
        var full = Path.GetFullPath(target);
        if (Directory.Exists(full))
        {
            throw new CliFailure($"target '{target}' is a directory; pass an image file to create or the SD card's device (e.g. /dev/sdX)");
        }

        if (!File.Exists(full))
        {
            var parent = Path.GetDirectoryName(full)!;
            if (!Directory.Exists(parent))
            {
                throw new CliFailure($"target '{target}': directory '{parent}' does not exist; create it or pick another path");
            }

            return new BurnTarget(full, TargetKind.File);
        }

        var (kind, device) = await StatAsync(full, ct);
        switch (kind)
        {
            case "regular file":
            case "regular empty file":
                CheckFileNotInUse(target, RealPath(full));
                return new BurnTarget(full, TargetKind.File);
            case "block special file":
                if (!confirmed)
                {
                    throw new CliFailure($"target '{target}' is a block device: burning erases everything on it. Check with 'lsblk' that it is the SD card, then add --yes");
                }

                CheckDiskNotInUse(target, device);
                return new BurnTarget(full, TargetKind.BlockDevice);
            default:
                throw new CliFailure($"target '{target}' is a {kind}, neither an image file nor a block device; pass a file path or the SD card's device");
        }
    }

    /// <summary>The whole disk a device number belongs to (a partition's parent), or null when sysfs does not know it.</summary>
    public DeviceNumber? WholeDisk(DeviceNumber device)
    {
        var dir = SysfsDirectory(device);
        if (dir is null)
        {
            return null;
        }

        if (!File.Exists(Path.Combine(dir, "partition")))
        {
            return device;
        }

        var parentDev = Path.Combine(Path.GetDirectoryName(dir)!, "dev");
        return File.Exists(parentDev) && DeviceNumber.TryParse(File.ReadAllText(parentDev).Trim(), out var parent) ? parent : device;
    }

    private void CheckDiskNotInUse(string target, DeviceNumber device)
    {
        var disk = WholeDisk(device) ?? device;
        var onDisk = mounts.Where(m => WholeDisk(m.Device) is { } d && d == disk).ToList();
        var root = onDisk.FirstOrDefault(m => m.MountPoint == "/");
        if (root is not null)
        {
            throw new CliFailure($"target '{target}' is the disk holding the running system's root filesystem (/ from {root.Source}); pick the SD card's device (see 'lsblk')");
        }

        if (onDisk.Count > 0)
        {
            var m = onDisk[0];
            throw new CliFailure($"target '{target}' is mounted ({m.Source} at {m.MountPoint}); unmount every partition first, e.g. 'sudo umount {m.MountPoint}'");
        }

        var diskDir = SysfsDirectory(disk);
        if (diskDir is not null)
        {
            var holders = HoldersOf(diskDir).Concat(Directory.EnumerateDirectories(diskDir)
                .Where(d => File.Exists(Path.Combine(d, "partition")))
                .SelectMany(HoldersOf)).ToList();
            if (holders.Count > 0)
            {
                throw new CliFailure($"target '{target}' is in use by {string.Join(", ", holders)} (LVM, RAID or encryption); stop that first");
            }
        }

        foreach (var swap in SwapDevices())
        {
            if (swap.Device is { } s && WholeDisk(s) is { } d && d == disk)
            {
                throw new CliFailure($"target '{target}' holds active swap ({swap.Path}); run 'sudo swapoff {swap.Path}' first");
            }
        }
    }

    private void CheckFileNotInUse(string target, string real)
    {
        var bound = mounts.FirstOrDefault(m => m.MountPoint == real);
        if (bound is not null)
        {
            throw new CliFailure($"target '{target}' is a mount point; unmount it first ('sudo umount {real}')");
        }

        var block = Path.Combine(sysfs, "block");
        if (!Directory.Exists(block))
        {
            return;
        }

        foreach (var loop in Directory.EnumerateDirectories(block, "loop*"))
        {
            var backing = Path.Combine(loop, "loop", "backing_file");
            if (File.Exists(backing) && File.ReadAllText(backing).Trim() == real)
            {
                var name = Path.GetFileName(loop);
                throw new CliFailure($"target '{target}' is attached to /dev/{name} (mounted or in use); unmount it and run 'sudo losetup -d /dev/{name}' first");
            }
        }
    }

    private string? SysfsDirectory(DeviceNumber device)
    {
        var link = Path.Combine(sysfs, "dev", "block", device.ToString());
        if (!Directory.Exists(link))
        {
            return null;
        }

        return new DirectoryInfo(link).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? link;
    }

    private static IEnumerable<string> HoldersOf(string dir)
    {
        var holders = Path.Combine(dir, "holders");
        return Directory.Exists(holders) ? Directory.EnumerateFileSystemEntries(holders).Select(Path.GetFileName).OfType<string>() : [];
    }

    private IEnumerable<(string Path, DeviceNumber? Device)> SwapDevices()
    {
        if (!File.Exists(swaps))
        {
            yield break;
        }

        foreach (var line in File.ReadLines(swaps).Skip(1))
        {
            var path = line.Split(' ', '\t').FirstOrDefault(f => f.Length > 0);
            if (path is null || !path.StartsWith("/dev/", StringComparison.Ordinal))
            {
                continue;
            }

            DeviceNumber? number = null;
            var name = Path.GetFileName(RealPath(path));
            var dev = Path.Combine(sysfs, "class", "block", name, "dev");
            if (File.Exists(dev) && DeviceNumber.TryParse(File.ReadAllText(dev).Trim(), out var n))
            {
                number = n;
            }

            yield return (path, number);
        }
    }

    private static string RealPath(string path)
    {
        try
        {
            return File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? path;
        }
        catch (IOException)
        {
            return path;
        }
    }

    private static async Task<(string Kind, DeviceNumber Device)> StatAsync(string path, CancellationToken ct)
    {
        // %F: file type in words; %t/%T: a device node's major/minor in hex. -L follows /dev/disk/by-* links.
        var (exit, output, error) = await HostTool.Stat.RunAsync(["-L", "-c", "%F|%t|%T", path], ct);
        var parts = output.Trim().Split('|');
        if (exit != 0 || parts.Length != 3)
        {
            throw new CliFailure($"cannot inspect target '{path}': {error.Trim()}");
        }

        var major = int.Parse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        var minor = int.Parse(parts[2], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return (parts[0], new DeviceNumber(major, minor));
    }
}
