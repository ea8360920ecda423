using Fleet.Testing;

namespace Fleet.Cli.Tests.Burn;

/// <summary>`fleet device burn` to an image file: the OS image is written and verified, the Fleet files land in the
/// FAT boot partition (checked with fsck.vfat and mtools, not with our own code), and the root partition is untouched.</summary>
public sealed class BurnToFileTests
{
    private const string Serial = "tank-0042";

    [Fact]
    public async Task Burns_an_img_and_puts_every_fleet_file_on_the_boot_partition()
    {
        using var temp = new TempDir("fleet-burn");
        var image = await PiImage.CreateAsync(temp.Path);
        var device = await DeviceFiles.CreateAsync(temp.Path, Serial);
        var target = temp.Combine("card.img");

        var result = await Burn(temp, image.Path, target, device);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("verified", result.StandardOutput);
        Assert.Equal(0b110_000_000, Posix.Mode(target));

        var boot = temp.Combine("boot-extracted.part");
        File.WriteAllBytes(boot, PiImage.Slice(target, PiImage.BootOffset, PiImage.BootLength));
        var fsck = await HostCommand.TryAsync("fsck.vfat", "-n", boot);
        Assert.True(fsck.ExitCode == 0, "fsck.vfat -n reports problems: " + fsck);

        foreach (var name in new[] { "device.crt", "device.key", "ca.crt", "hub.json" })
        {
            Assert.Equal(File.ReadAllText(Path.Combine(device.Provisioning, name)), await FatText(boot, $"fleet/provisioning/{name}"));
        }

        Assert.Equal(File.ReadAllText(Path.Combine(device.Provisioning, "trusted-keys", "release.pub")), await FatText(boot, "fleet/provisioning/trusted-keys/release.pub"));
        Assert.Equal(File.ReadAllText(RepoPaths.FleetBoot), await FatText(boot, "fleet/fleet-boot"));
        foreach (var name in new[] { "install.sh", "fleet-agent.service", "60-fleet-gpio-i2c.rules" })
        {
            Assert.Equal(File.ReadAllText(Path.Combine(RepoPaths.Root, "device", "packaging", name)), await FatText(boot, "fleet/" + name));
        }

        Assert.Contains("\"platform\":\"rpi4\"", await FatText(boot, "fleet/firmware/manifest.json"));
        Assert.Contains("ed25519", await FatText(boot, "fleet/firmware/manifest.sig"));
        var tar = temp.Combine("payload.tar");
        await HostCommand.RunAsync("mcopy", "-i", boot, "::/fleet/firmware/payload.tar", tar);
        Assert.StartsWith(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(tar))),
            await FatText(boot, "fleet/firmware/payload.sha256"));

        var userData = await FatText(boot, "user-data");
        Assert.StartsWith(PiImage.UserData.TrimEnd(), userData);
        Assert.Contains("runcmd:\n  - [sh, /boot/firmware/fleet/install.sh, --from, /boot/firmware/fleet, --remove-source]", userData);
        Assert.Equal("arm_64bit=1\n", await FatText(boot, "config.txt"));

        Assert.Equal(PiImage.Slice(image.Path, PiImage.RootOffset, PiImage.RootLength), PiImage.Slice(target, PiImage.RootOffset, PiImage.RootLength));
        Assert.Equal(PiImage.Slice(image.Path, 0, PiImage.BootOffset), PiImage.Slice(target, 0, PiImage.BootOffset));
        Assert.Equal(new[] { "card.img" }, Directory.EnumerateFiles(temp.Path, "*card.img*").Select(Path.GetFileName));
    }

    [Fact]
    public async Task Burns_an_img_xz_and_replaces_an_existing_target_file_with_yes()
    {
        using var temp = new TempDir("fleet-burn");
        var image = await PiImage.CreateAsync(temp.Path);
        var compressed = await image.CompressAsync();
        var device = await DeviceFiles.CreateAsync(temp.Path, Serial);
        var target = temp.Combine("card.img");
        File.WriteAllText(target, "an older card image");

        var result = await Burn(temp, compressed, target, device, "--yes");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(new FileInfo(image.Path).Length, new FileInfo(target).Length);
        Assert.Equal(PiImage.Slice(image.Path, PiImage.RootOffset, PiImage.RootLength), PiImage.Slice(target, PiImage.RootOffset, PiImage.RootLength));
        var boot = temp.Combine("boot-extracted.part");
        File.WriteAllBytes(boot, PiImage.Slice(target, PiImage.BootOffset, PiImage.BootLength));
        Assert.Equal(0, (await HostCommand.TryAsync("fsck.vfat", "-n", boot)).ExitCode);
        Assert.Equal(File.ReadAllText(Path.Combine(device.Provisioning, "device.key")), await FatText(boot, "fleet/provisioning/device.key"));
    }

    [Fact]
    public async Task Burning_an_already_burnt_image_adds_the_install_command_only_once()
    {
        using var temp = new TempDir("fleet-burn");
        var image = await PiImage.CreateAsync(temp.Path);
        var device = await DeviceFiles.CreateAsync(temp.Path, Serial);
        var first = temp.Combine("first.img");
        var second = temp.Combine("second.img");

        Assert.Equal(0, (await Burn(temp, image.Path, first, device)).ExitCode);
        var result = await Burn(temp, first, second, device);

        Assert.True(result.ExitCode == 0, result.ToString());
        var boot = temp.Combine("boot-extracted.part");
        File.WriteAllBytes(boot, PiImage.Slice(second, PiImage.BootOffset, PiImage.BootLength));
        var userData = await FatText(boot, "user-data");
        Assert.Single(userData.Split('\n'), l => l.Contains("install.sh", StringComparison.Ordinal));
        Assert.Equal(0, (await HostCommand.TryAsync("fsck.vfat", "-n", boot)).ExitCode);
    }

    internal static Task<ProcessResult> Burn(TempDir temp, string image, string target, DeviceFiles device, params string[] extra) =>
        ProductProcess.RunAsync(RepoPaths.CliDll,
            ["device", "burn", Serial, "--image", image, "--target", target, "--provisioning", device.Provisioning, "--bundle", device.Bundle, .. extra],
            environment: new Dictionary<string, string?> { ["FLEET_CONFIG_DIR"] = temp.Combine("config") });

    /// <summary>The file's exact content, copied out of the FAT partition by mtools.</summary>
    internal static async Task<string> FatText(string partition, string path)
    {
        var local = partition + ".out";
        await HostCommand.RunAsync("mcopy", "-n", "-o", "-i", partition, "::/" + path, local);
        try
        {
            return File.ReadAllText(local);
        }
        finally
        {
            File.Delete(local);
        }
    }
}
