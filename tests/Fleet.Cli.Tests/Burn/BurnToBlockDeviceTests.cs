using Fleet.Testing;

namespace Fleet.Cli.Tests.Burn;

/// <summary>`fleet device burn --yes` to a block device (a loop device standing in for the SD card reader): written,
/// verified after dropping the kernel's cache, Fleet files added, and nothing beyond the image touched.</summary>
public sealed class BurnToBlockDeviceTests
{
    private const string Serial = "tank-0042";
    private const long Spare = 4L << 20;

    [Fact]
    public async Task Burns_an_img_xz_to_a_card_and_leaves_the_rest_of_the_card_alone()
    {
        using var temp = new TempDir("fleet-burn");
        var image = await PiImage.CreateAsync(temp.Path);
        var compressed = await image.CompressAsync();
        var device = await DeviceFiles.CreateAsync(temp.Path, Serial);
        var length = new FileInfo(image.Path).Length;
        var card = temp.Combine("card.bin");
        File.WriteAllBytes(card, Enumerable.Repeat((byte)0xAA, (int)(length + Spare)).ToArray());

        ProcessResult result;
        await using (var loop = await LoopDevice.AttachAsync(card))
        {
            result = await BurnToFileTests.Burn(temp, compressed, loop.Path, device, "--yes");
        }

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(PiImage.Slice(image.Path, PiImage.RootOffset, PiImage.RootLength), PiImage.Slice(card, PiImage.RootOffset, PiImage.RootLength));
        Assert.All(PiImage.Slice(card, length, Spare), b => Assert.Equal(0xAA, b));
        var boot = temp.Combine("boot-extracted.part");
        File.WriteAllBytes(boot, PiImage.Slice(card, PiImage.BootOffset, PiImage.BootLength));
        Assert.Equal(0, (await HostCommand.TryAsync("fsck.vfat", "-n", boot)).ExitCode);
        var key = temp.Combine("key.out");
        await HostCommand.RunAsync("mcopy", "-i", boot, "::/fleet/provisioning/device.key", key);
        Assert.Equal(File.ReadAllBytes(Path.Combine(device.Provisioning, "device.key")), File.ReadAllBytes(key));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Refuses_a_damaged_img_xz_before_writing_a_byte_to_the_card(bool truncate)
    {
        using var temp = new TempDir("fleet-burn");
        var image = await PiImage.CreateAsync(temp.Path);
        var compressed = await image.CompressAsync();
        var bytes = File.ReadAllBytes(compressed);
        if (truncate)
        {
            bytes = bytes[..(bytes.Length / 2)];
        }
        else
        {
            // The stream index at the end stays intact: only decoding every block finds this.
            bytes[bytes.Length / 2] ^= 0x55;
        }

        File.WriteAllBytes(compressed, bytes);
        var device = await DeviceFiles.CreateAsync(temp.Path, Serial);
        var card = temp.Combine("card.bin");
        File.WriteAllBytes(card, Enumerable.Repeat((byte)0xAA, (int)(new FileInfo(image.Path).Length + Spare)).ToArray());

        ProcessResult result;
        await using (var loop = await LoopDevice.AttachAsync(card))
        {
            result = await BurnToFileTests.Burn(temp, compressed, loop.Path, device, "--yes");
        }

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("is truncated or corrupt", result.StandardError);
        Assert.All(File.ReadAllBytes(card), b => Assert.Equal(0xAA, b));
    }

    [Fact]
    public async Task Refuses_an_image_file_target_that_a_loop_device_is_using()
    {
        using var temp = new TempDir("fleet-burn");
        var image = await PiImage.CreateAsync(temp.Path);
        var device = await DeviceFiles.CreateAsync(temp.Path, Serial);
        var target = temp.Combine("card.img");
        File.WriteAllText(target, "in use");

        ProcessResult result;
        string loopPath;
        await using (var loop = await LoopDevice.AttachAsync(target))
        {
            loopPath = loop.Path;
            result = await BurnToFileTests.Burn(temp, image.Path, target, device);
        }

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"is attached to {loopPath}", result.StandardError);
        Assert.Equal("in use", File.ReadAllText(target));
    }
}
