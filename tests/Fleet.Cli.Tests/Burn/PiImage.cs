namespace Fleet.Cli.Tests.Burn;

/// <summary>A small stand-in for a Raspberry Pi OS image, made the way the real one is laid out: an MBR partition
/// table (sfdisk), a FAT boot partition (mkfs.vfat) holding config.txt, cmdline.txt, meta-data and cloud-init
/// user-data, and an ext4 root (mkfs.ext4), each made as a file and dd'ed in at its offset.</summary>
internal sealed class PiImage
{
    public const long BootOffset = 1L << 20;
    public const long BootLength = 8L << 20;
    public const long RootOffset = BootOffset + BootLength;
    public const long RootLength = 8L << 20;

    public const string UserData = "#cloud-config\n# Raspberry Pi OS defaults\nhostname: raspberrypi\n";

    private PiImage(string path) => Path = path;

    public string Path { get; }

    /// <summary>Builds the image; <paramref name="userData"/> null leaves cloud-init out, like images before Trixie.</summary>
    public static async Task<PiImage> CreateAsync(string directory, string? userData = UserData)
    {
        var path = System.IO.Path.Combine(directory, "raspios.img");
        var boot = System.IO.Path.Combine(directory, "boot.part");
        var root = System.IO.Path.Combine(directory, "root.part");
        var bootFiles = Directory.CreateDirectory(System.IO.Path.Combine(directory, "bootfiles")).FullName;
        var rootFiles = Directory.CreateDirectory(System.IO.Path.Combine(directory, "rootfiles", "etc")).Parent!.FullName;

        await using (var image = File.Create(path))
        {
            image.SetLength(RootOffset + RootLength);
        }

        await HostCommand.RunAsync("/bin/sh", "-c",
            $"printf 'label: dos\\nstart={BootOffset / 512}, size={BootLength / 512}, type=c\\nstart={RootOffset / 512}, size={RootLength / 512}, type=83\\n' | sfdisk --quiet '{path}'");

        File.WriteAllText(System.IO.Path.Combine(bootFiles, "config.txt"), "arm_64bit=1\n");
        File.WriteAllText(System.IO.Path.Combine(bootFiles, "cmdline.txt"), "console=serial0,115200 root=PARTUUID=abcd-02 rootwait\n");
        if (userData is not null)
        {
            File.WriteAllText(System.IO.Path.Combine(bootFiles, "user-data"), userData);
            File.WriteAllText(System.IO.Path.Combine(bootFiles, "meta-data"), "instance-id: rpios-image\n");
        }

        await HostCommand.RunAsync("mkfs.vfat", "-n", "bootfs", "-C", boot, (BootLength / 1024).ToString());
        foreach (var file in Directory.EnumerateFiles(bootFiles))
        {
            await HostCommand.RunAsync("mcopy", "-i", boot, file, "::/");
        }

        File.WriteAllText(System.IO.Path.Combine(rootFiles, "etc", "hostname"), "raspberrypi\n");
        await HostCommand.RunAsync("mkfs.ext4", "-q", "-F", "-d", rootFiles, root, (RootLength / 1024).ToString() + "k");

        await HostCommand.RunAsync("dd", $"if={boot}", $"of={path}", "bs=512", $"seek={BootOffset / 512}", "conv=notrunc", "status=none");
        await HostCommand.RunAsync("dd", $"if={root}", $"of={path}", "bs=512", $"seek={RootOffset / 512}", "conv=notrunc", "status=none");
        File.Delete(boot);
        File.Delete(root);
        return new PiImage(path);
    }

    /// <summary>The image compressed the way Raspberry Pi OS is distributed (.img.xz).</summary>
    public async Task<string> CompressAsync()
    {
        await HostCommand.RunAsync("xz", "--keep", "--force", "--threads=1", "-0", Path);
        return Path + ".xz";
    }

    public static byte[] Slice(string disk, long offset, long length)
    {
        using var stream = File.OpenRead(disk);
        stream.Seek(offset, SeekOrigin.Begin);
        var bytes = new byte[length];
        stream.ReadExactly(bytes);
        return bytes;
    }
}
