namespace Fleet.Cli.Burn;

/// <summary>One line of /proc/self/mountinfo: the device numbers behind the mount, where it is mounted, its source
/// and filesystem type (btrfs, zfs and bcachefs report an anonymous 0:N device, so the type says where to look).</summary>
internal sealed record MountEntry(DeviceNumber Device, string MountPoint, string Source, string FsType);
