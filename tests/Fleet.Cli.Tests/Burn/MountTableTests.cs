using Fleet.Cli.Burn;

namespace Fleet.Cli.Tests.Burn;

/// <summary>/proc/self/mountinfo lines as the kernel writes them (proc(5) example and escaped paths).</summary>
public sealed class MountTableTests
{
    [Fact]
    public void Reads_device_numbers_mount_points_and_sources()
    {
        var entries = MountTable.Parse(
            "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue\n" +
            "25 1 179:2 / / rw,relatime shared:1 - ext4 /dev/mmcblk0p2 rw\n" +
            "40 25 0:37 / /proc rw,nosuid - proc proc rw\n");

        Assert.Equal(
            [
                new MountEntry(new DeviceNumber(98, 0), "/mnt2", "/dev/root", "ext3"),
                new MountEntry(new DeviceNumber(179, 2), "/", "/dev/mmcblk0p2", "ext4"),
                new MountEntry(new DeviceNumber(0, 37), "/proc", "proc", "proc"),
            ],
            entries);
    }

    [Fact]
    public void Unescapes_spaces_and_backslashes_in_paths()
    {
        var entry = Assert.Single(MountTable.Parse("50 25 8:17 / /media/pi/boot\\040fs\\134x rw - vfat /dev/sdb1 rw\n"));

        Assert.Equal("/media/pi/boot fs\\x", entry.MountPoint);
    }

    [Fact]
    public void Skips_lines_it_cannot_read()
    {
        Assert.Empty(MountTable.Parse("garbage\n1 2 x:y / / rw - ext4 /dev/sda1 rw\n"));
    }
}
