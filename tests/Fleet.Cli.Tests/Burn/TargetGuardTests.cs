using Fleet.Cli.Burn;
using Fleet.Testing;

namespace Fleet.Cli.Tests.Burn;

/// <summary>The burn guard finds the disks behind the running system through sysfs, as lsblk does, for roots that
/// mountinfo's major:minor does not name: Btrfs (a real loop device in a sysfs-shaped fixture), LVM, md with
/// dm-crypt on top, and ZFS. Targets are real device nodes (mknod, as root in CI); a refusal comes before any open.
/// Each case also burns-checks a disk that is not the system's, so the guard is seen to say yes as well as no.</summary>
public sealed class TargetGuardTests
{
    [Fact]
    public async Task A_btrfs_root_on_a_loop_device_refuses_that_device_and_every_other_device_of_the_filesystem()
    {
        using var temp = new TempDir("fleet-guard");
        var backing = temp.Combine("btrfs.img");
        File.WriteAllBytes(backing, new byte[1 << 20]);
        await using var loop = await LoopDevice.AttachAsync(backing);
        var name = Path.GetFileName(loop.Path);
        var sys = new SysfsFixture(temp.Combine("sys"));
        sys.Real(name);
        sys.Disk("sdb", "8:16");
        sys.Partition("sdb", "sdb1", "8:17");
        sys.Disk("sdc", "8:32");
        sys.Btrfs("3f1c0a5e-9a8b-4c1d-8e2f-7a6b5c4d3e2f", name, "sdb1");
        // btrfs names no real device in mountinfo: 0:N is anonymous, so only sysfs can tell.
        var guard = sys.Guard($"29 1 0:52 /@ / rw,relatime shared:1 - btrfs {loop.Path} rw,ssd,space_cache=v2,subvolid=256,subvol=/@\n");

        var sdb = await sys.NodeAsync(temp, "8:16");
        var root = await Assert.ThrowsAsync<CliFailure>(() => guard.CheckAsync(loop.Path, confirmed: true, CancellationToken.None));
        var second = await Assert.ThrowsAsync<CliFailure>(() => guard.CheckAsync(sdb, confirmed: true, CancellationToken.None));

        Assert.Contains($"is the disk holding the running system's root filesystem (/ from {loop.Path}, btrfs)", root.Message);
        Assert.Contains("running system's root filesystem", second.Message);
        var other = await guard.CheckAsync(await sys.NodeAsync(temp, "8:32"), confirmed: true, CancellationToken.None);
        Assert.Equal(TargetKind.BlockDevice, other.Kind);
    }

    [Fact]
    public async Task A_btrfs_root_whose_devices_sysfs_does_not_list_refuses_every_block_device()
    {
        using var temp = new TempDir("fleet-guard");
        var sys = new SysfsFixture(temp.Combine("sys"));
        sys.Disk("sdc", "8:32");
        var guard = sys.Guard("29 1 0:52 / / rw - btrfs /dev/nvme0n1p2 rw\n");

        var sdc = await sys.NodeAsync(temp, "8:32");
        var refused = await Assert.ThrowsAsync<CliFailure>(() => guard.CheckAsync(sdc, confirmed: true, CancellationToken.None));

        Assert.Contains("cannot tell which disks hold the running system's / (btrfs from /dev/nvme0n1p2), so no block device is safe to erase", refused.Message);
    }

    [Fact]
    public async Task An_lvm_root_refuses_the_disk_under_its_physical_volume()
    {
        using var temp = new TempDir("fleet-guard");
        var sys = new SysfsFixture(temp.Combine("sys"));
        sys.Disk("sda", "8:0");
        sys.Partition("sda", "sda1", "8:1");
        sys.Partition("sda", "sda2", "8:2");
        sys.Virtual("dm-0", "253:0", "sda2");
        sys.Disk("sdb", "8:16");
        var guard = sys.Guard("25 1 253:0 / / rw,relatime shared:1 - ext4 /dev/mapper/vg-root rw\n" +
            "30 25 8:1 / /boot rw,relatime shared:2 - ext4 /dev/sda1 rw\n");

        var sda = await sys.NodeAsync(temp, "8:0");
        var refused = await Assert.ThrowsAsync<CliFailure>(() => guard.CheckAsync(sda, confirmed: true, CancellationToken.None));

        Assert.Contains("is the disk holding the running system's root filesystem (/ from /dev/mapper/vg-root, ext4)", refused.Message);
        Assert.Equal(TargetKind.BlockDevice, (await guard.CheckAsync(await sys.NodeAsync(temp, "8:16"), confirmed: true, CancellationToken.None)).Kind);
    }

    [Fact]
    public async Task A_dm_crypt_usr_on_md_raid_refuses_every_disk_of_the_array()
    {
        using var temp = new TempDir("fleet-guard");
        var sys = new SysfsFixture(temp.Combine("sys"));
        sys.Disk("sdb", "8:16");
        sys.Partition("sdb", "sdb1", "8:17");
        sys.Disk("sdc", "8:32");
        sys.Partition("sdc", "sdc1", "8:33");
        sys.Virtual("md0", "9:0", "sdb1", "sdc1");
        sys.Virtual("dm-1", "253:1", "md0");
        sys.Disk("sdd", "8:48");
        var guard = sys.Guard("25 1 0:30 / / rw - overlay overlay rw\n" +
            "31 25 253:1 / /usr rw,relatime - ext4 /dev/mapper/usr_crypt rw\n");

        foreach (var disk in new[] { "8:16", "8:32" })
        {
            var node = await sys.NodeAsync(temp, disk);
            var refused = await Assert.ThrowsAsync<CliFailure>(() => guard.CheckAsync(node, confirmed: true, CancellationToken.None));
            Assert.Contains("is the disk holding the running system's /usr filesystem (/usr from /dev/mapper/usr_crypt, ext4)", refused.Message);
        }

        Assert.Equal(TargetKind.BlockDevice, (await guard.CheckAsync(await sys.NodeAsync(temp, "8:48"), confirmed: true, CancellationToken.None)).Kind);
    }

    [Fact]
    public async Task A_zfs_root_refuses_its_vdevs_and_every_device_when_the_vdevs_cannot_be_listed()
    {
        using var temp = new TempDir("fleet-guard");
        var sys = new SysfsFixture(temp.Combine("sys"));
        sys.Disk("sde", "8:64");
        sys.Partition("sde", "sde1", "8:65");
        sys.Disk("sdf", "8:80");
        const string mountinfo = "25 1 0:25 / / rw,relatime shared:1 - zfs rpool/ROOT/debian rw,xattr,posixacl\n";
        var pools = new List<string>();
        var guard = sys.Guard(mountinfo, (pool, _) =>
        {
            pools.Add(pool);
            return Task.FromResult<IReadOnlyList<string>?>(["/dev/sde1"]);
        });
        var blind = sys.Guard(mountinfo, (_, _) => Task.FromResult<IReadOnlyList<string>?>(null));

        var sde = await sys.NodeAsync(temp, "8:64");
        var sdf = await sys.NodeAsync(temp, "8:80");
        var vdev = await Assert.ThrowsAsync<CliFailure>(() => guard.CheckAsync(sde, confirmed: true, CancellationToken.None));
        var unknown = await Assert.ThrowsAsync<CliFailure>(() => blind.CheckAsync(sdf, confirmed: true, CancellationToken.None));

        Assert.Contains("running system's root filesystem (/ from rpool/ROOT/debian, zfs)", vdev.Message);
        Assert.Equal("rpool", Assert.Single(pools.Distinct()));
        Assert.Contains("cannot tell which disks hold the running system's / (zfs from rpool/ROOT/debian)", unknown.Message);
        Assert.Equal(TargetKind.BlockDevice, (await guard.CheckAsync(await sys.NodeAsync(temp, "8:80"), confirmed: true, CancellationToken.None)).Kind);
    }

    /// <summary>A directory shaped like /sys: devices/.../block/NAME with <c>dev</c>, <c>partition</c>, <c>slaves/</c>
    /// and <c>holders/</c>, reached through class/block/NAME and dev/block/MAJ:MIN symlinks, plus fs/btrfs/UUID/devices.</summary>
    private sealed class SysfsFixture(string root)
    {
        private readonly Dictionary<string, string> _dirs = new(StringComparer.Ordinal);

        public void Disk(string name, string dev) => Add(name, dev, Path.Combine(root, "devices", "pci0000:00", "block", name), partition: false);

        public void Partition(string disk, string name, string dev) => Add(name, dev, Path.Combine(_dirs[disk], name), partition: true);

        public void Virtual(string name, string dev, params string[] slaves)
        {
            var dir = Add(name, dev, Path.Combine(root, "devices", "virtual", "block", name), partition: false);
            foreach (var slave in slaves)
            {
                Link(Path.Combine(dir, "slaves", slave), _dirs[slave]);
                Link(Path.Combine(_dirs[slave], "holders", name), dir);
            }
        }

        /// <summary>A device that exists on this machine (the test's loop device): linked to the real sysfs entry.</summary>
        public void Real(string name)
        {
            var real = new DirectoryInfo(Path.Combine("/sys/class/block", name)).ResolveLinkTarget(returnFinalTarget: true)!.FullName;
            _dirs[name] = real;
            Link(Path.Combine(root, "class", "block", name), real);
            Link(Path.Combine(root, "dev", "block", File.ReadAllText(Path.Combine(real, "dev")).Trim()), real);
        }

        public void Btrfs(string uuid, params string[] devices)
        {
            foreach (var device in devices)
            {
                Link(Path.Combine(root, "fs", "btrfs", uuid, "devices", device), _dirs[device]);
            }
        }

        public TargetGuard Guard(string mountinfo, Func<string, CancellationToken, Task<IReadOnlyList<string>?>>? zfs = null) =>
            new(MountTable.Parse(mountinfo), root, Path.Combine(root, "no-swaps"), zfs ?? ((_, _) => Task.FromResult<IReadOnlyList<string>?>(null)));

        /// <summary>A block device node with these numbers in the test's folder.</summary>
        public async Task<string> NodeAsync(TempDir temp, string dev)
        {
            var node = temp.Combine("node-" + dev.Replace(':', '-'));
            if (!File.Exists(node))
            {
                var parts = dev.Split(':');
                await HostCommand.RunAsync("mknod", node, "b", parts[0], parts[1]);
            }

            return node;
        }

        private string Add(string name, string dev, string dir, bool partition)
        {
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "dev"), dev + "\n");
            if (partition)
            {
                File.WriteAllText(Path.Combine(dir, "partition"), name[^1..] + "\n");
            }

            _dirs[name] = dir;
            Link(Path.Combine(root, "class", "block", name), dir);
            Link(Path.Combine(root, "dev", "block", dev), dir);
            return dir;
        }

        private static void Link(string path, string target)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            Directory.CreateSymbolicLink(path, target);
        }
    }
}
