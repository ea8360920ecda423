using System.Globalization;

namespace Fleet.Cli.Burn;

/// <summary>Refuses targets that must never be overwritten: a block device without --yes, a disk that backs the
/// running system (/, /boot, /usr, /var ...), a disk with a mounted, swapped-on or device-mapped partition, an image
/// file that a loop device or bind mount is using, an existing image file without --yes, and a path under /dev that
/// is not a device (devtmpfs is RAM: a mistyped /dev/sdx would silently become a file there).
/// Decisions use device numbers (mountinfo, sysfs), not names, so a symlink such as /dev/disk/by-id/... cannot slip
/// past. The disks behind a filesystem are found the way lsblk does: through sysfs <c>slaves/</c> (LVM, dm-crypt,
/// md) and partitions up to their whole disk; btrfs lists its devices in <c>/sys/fs/btrfs/UUID/devices</c>, bcachefs
/// names them in the mount source, and a ZFS pool's vdevs come from <c>zpool status -P</c>. A system filesystem whose
/// disks cannot be found refuses every block device (fail closed).</summary>
internal sealed class TargetGuard(
    IReadOnlyList<MountEntry> mounts,
    string sysfs = "/sys",
    string swaps = "/proc/swaps",
    Func<string, CancellationToken, Task<IReadOnlyList<string>?>>? zfsVdevs = null)
{
    /// <summary>Mount points of the running system: a disk behind any of them is never a target.</summary>
    public static readonly IReadOnlyList<string> SystemMountPoints = ["/", "/boot", "/boot/efi", "/boot/firmware", "/usr", "/var", "/etc", "/home"];

    private readonly Func<string, CancellationToken, Task<IReadOnlyList<string>?>> _zfsVdevs = zfsVdevs ?? ZpoolVdevsAsync;
    private readonly Dictionary<string, IReadOnlyList<string>?> _pools = new(StringComparer.Ordinal);

    public async Task<BurnTarget> CheckAsync(string target, bool confirmed, CancellationToken ct)
    {
        var full = Path.GetFullPath(target);
        if (Directory.Exists(full))
        {
            throw new CliFailure($"target '{target}' is a directory; pass an image file to create or the SD card's device (e.g. /dev/sdX)");
        }

        if (!File.Exists(full) && new FileInfo(full).LinkTarget is null)
        {
            var parent = Path.GetDirectoryName(full)!;
            if (IsDevicePath(full))
            {
                throw new CliFailure($"target '{target}' does not exist: there is no such device (nothing is ever created under /dev); " +
                    "insert the SD card and find its device with 'lsblk', or pass an image file path outside /dev");
            }

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
                if (IsDevicePath(RealPath(full)))
                {
                    throw new CliFailure($"target '{target}' is a regular file under /dev, not a device (devtmpfs is memory, not a card); " +
                        $"remove it ('sudo rm {RealPath(full)}') and pass the SD card's device from 'lsblk'");
                }

                if (!confirmed)
                {
                    throw new CliFailure($"target '{target}' exists ({new FileInfo(full).Length} bytes); add --yes to replace it, or pass a new file name");
                }

                return new BurnTarget(full, TargetKind.File);
            case "block special file":
                if (!confirmed)
                {
                    throw new CliFailure($"target '{target}' is a block device: burning erases everything on it. Check with 'lsblk' that it is the SD card, then add --yes");
                }

                await CheckDiskNotInUseAsync(target, device, ct);
                return new BurnTarget(full, TargetKind.BlockDevice);
            default:
                throw new CliFailure($"target '{target}' is a {kind}, neither an image file nor a block device; pass a file path or the SD card's device");
        }
    }

    /// <summary>Under /dev, or in any devtmpfs mount: only existing device nodes may be written there.</summary>
    private bool IsDevicePath(string full)
    {
        if (full == "/dev" || full.StartsWith("/dev/", StringComparison.Ordinal))
        {
            return true;
        }

        var dir = Path.GetDirectoryName(full);
        var mount = mounts.Where(m => dir is not null && (dir == m.MountPoint || dir.StartsWith(m.MountPoint.TrimEnd('/') + "/", StringComparison.Ordinal)))
            .MaxBy(m => m.MountPoint.Length);
        return mount?.FsType == "devtmpfs";
    }

    /// <summary>The whole disks behind each system mount point, or a refusal when one cannot be resolved.</summary>
    public async Task<IReadOnlyDictionary<DeviceNumber, MountEntry>> SystemDisksAsync(CancellationToken ct)
    {
        var disks = new Dictionary<DeviceNumber, MountEntry>();
        // Every mount at a system point counts, so a mount stacked on top cannot hide the disk below it.
        foreach (var mount in mounts.Where(m => SystemMountPoints.Contains(m.MountPoint)).OrderBy(m => m.MountPoint == "/" ? 0 : 1))
        {
            var backing = await BackingDisksAsync(mount, ct);
            if (backing is null)
            {
                throw new CliFailure($"cannot tell which disks hold the running system's {mount.MountPoint} ({mount.FsType} from {mount.Source}), so no block device is " +
                    "safe to erase; burn to an image file instead and copy it to the card on another machine");
            }

            foreach (var disk in backing)
            {
                disks.TryAdd(disk, mount);
            }
        }

        return disks;
    }

    /// <summary>The whole disks a mounted filesystem lives on; empty for filesystems without local disks (tmpfs,
    /// overlay, nfs ...), null when the filesystem has disks that cannot be found.</summary>
    public async Task<IReadOnlySet<DeviceNumber>?> BackingDisksAsync(MountEntry mount, CancellationToken ct)
    {
        var disks = new HashSet<DeviceNumber>();
        if (SysfsDirectory(mount.Device) is { } dir)
        {
            AddBacking(dir, disks, 0);
            return disks;
        }

        switch (mount.FsType)
        {
            case "btrfs":
                return BtrfsDevices(mount) is { Count: > 0 } devices ? AddAll(devices, disks) : null;
            case "bcachefs":
                return mount.Source.Split(':').Select(DeviceDirectory).ToList() is var members && members.All(m => m is not null) && members.Count > 0
                    ? AddAll(members.OfType<string>(), disks)
                    : null;
            case "zfs":
                var pool = mount.Source.Split('/')[0];
                if (!_pools.TryGetValue(pool, out var vdevs))
                {
                    vdevs = await _zfsVdevs(pool, ct);
                    _pools[pool] = vdevs;
                }

                if (vdevs is null || vdevs.Count == 0)
                {
                    return null;
                }

                var dirs = vdevs.Select(DeviceDirectory).ToList();
                return dirs.All(d => d is not null) ? AddAll(dirs.OfType<string>(), disks) : null;
            default:
                // A real block device (major != 0) that sysfs does not list cannot be resolved; 0:N is a virtual filesystem.
                return mount.Device.Major == 0 ? disks : null;
        }
    }

    private HashSet<DeviceNumber> AddAll(IEnumerable<string> dirs, HashSet<DeviceNumber> disks)
    {
        foreach (var dir in dirs)
        {
            AddBacking(dir, disks, 0);
        }

        return disks;
    }

    /// <summary>Walks <c>slaves/</c> down (dm, LVM, dm-crypt, md, bcache) and partitions up to the whole disk.</summary>
    private void AddBacking(string dir, HashSet<DeviceNumber> disks, int depth)
    {
        var slaves = Path.Combine(dir, "slaves");
        var below = depth < 16 && Directory.Exists(slaves) ? Directory.EnumerateFileSystemEntries(slaves).ToList() : [];
        if (below.Count > 0)
        {
            foreach (var slave in below)
            {
                if ((ResolvedDirectory(slave) ?? ClassDirectory(Path.GetFileName(slave))) is { } slaveDir)
                {
                    AddBacking(slaveDir, disks, depth + 1);
                }
            }

            return;
        }

        if (File.Exists(Path.Combine(dir, "partition")) && NumberOf(Path.GetDirectoryName(dir)!) is { } parent)
        {
            disks.Add(parent);
            return;
        }

        if (NumberOf(dir) is { } self)
        {
            disks.Add(self);
        }
    }

    /// <summary>The sysfs directories of a btrfs filesystem's devices: the one whose device list holds the mount source,
    /// else (source unknown) every btrfs filesystem's devices, which errs on the side of refusing.</summary>
    private List<string>? BtrfsDevices(MountEntry mount)
    {
        var root = Path.Combine(sysfs, "fs", "btrfs");
        if (!Directory.Exists(root))
        {
            return null;
        }

        var filesystems = Directory.EnumerateDirectories(root)
            .Select(fs => Path.Combine(fs, "devices"))
            .Where(Directory.Exists)
            .Select(devices => Directory.EnumerateFileSystemEntries(devices).ToList())
            .Where(list => list.Count > 0)
            .ToList();
        var source = Path.GetFileName(RealPath(mount.Source));
        var mine = filesystems.FirstOrDefault(list => list.Any(d => Path.GetFileName(d) == source)) ?? filesystems.SelectMany(l => l).ToList();
        var dirs = mine.Select(d => ResolvedDirectory(d) ?? ClassDirectory(Path.GetFileName(d))).ToList();
        return dirs.All(d => d is not null) ? [.. dirs.OfType<string>()] : null;
    }

    /// <summary>The sysfs directory of a device path such as /dev/sda2 or /dev/disk/by-id/..., by its resolved name.</summary>
    private string? DeviceDirectory(string devicePath) =>
        devicePath.Length == 0 ? null : ClassDirectory(Path.GetFileName(RealPath(devicePath)));

    private string? ClassDirectory(string name) => ResolvedDirectory(Path.Combine(sysfs, "class", "block", name));

    private static string? ResolvedDirectory(string path)
    {
        if (!Directory.Exists(path))
        {
            return null;
        }

        try
        {
            return new DirectoryInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(path);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static DeviceNumber? NumberOf(string dir)
    {
        var dev = Path.Combine(dir, "dev");
        return File.Exists(dev) && DeviceNumber.TryParse(File.ReadAllText(dev).Trim(), out var n) ? n : null;
    }

    /// <summary><c>zpool status -P POOL</c>: the vdev lines name their devices by full path. Null when zpool is missing or fails.</summary>
    private static async Task<IReadOnlyList<string>?> ZpoolVdevsAsync(string pool, CancellationToken ct)
    {
        try
        {
            var (exit, output, _) = await HostTool.Zpool.RunAsync(["status", "-P", pool], ct);
            if (exit != 0)
            {
                return null;
            }

            return output.Split('\n')
                .Select(l => l.Trim().Split(' ', '\t').FirstOrDefault() ?? "")
                .Where(f => f.StartsWith("/dev/", StringComparison.Ordinal))
                .ToList();
        }
        catch (CliFailure)
        {
            return null;
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

    private async Task CheckDiskNotInUseAsync(string target, DeviceNumber device, CancellationToken ct)
    {
        var disk = WholeDisk(device) ?? device;
        if ((await SystemDisksAsync(ct)).TryGetValue(disk, out var system))
        {
            var what = system.MountPoint == "/" ? "root filesystem" : $"{system.MountPoint} filesystem";
            throw new CliFailure($"target '{target}' is the disk holding the running system's {what} ({system.MountPoint} from {system.Source}, {system.FsType}); pick the SD card's device (see 'lsblk')");
        }

        foreach (var m in mounts)
        {
            if ((await BackingDisksAsync(m, ct))?.Contains(disk) == true)
            {
                throw new CliFailure($"target '{target}' is mounted ({m.Source} at {m.MountPoint}); unmount every partition first, e.g. 'sudo umount {m.MountPoint}'");
            }
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
