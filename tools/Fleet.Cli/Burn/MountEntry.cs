namespace Fleet.Cli.Burn;

/// <summary>One line of /proc/self/mountinfo: the device numbers behind the mount, where it is mounted and its source.</summary>
internal sealed record MountEntry(DeviceNumber Device, string MountPoint, string Source);
