using System.Globalization;
using Fleet.Testing;

namespace Fleet.Cli.Tests.Burn;

/// <summary>What `fleet device burn` refuses: each with one line on stderr, a non-zero exit, and the target exactly as
/// it was (no temp files left next to it).</summary>
public sealed class BurnRefusalTests
{
    private const string Serial = "tank-0042";
    private const string Original = "the card image that was here before";

    [Fact]
    public async Task Refuses_a_missing_image()
    {
        using var temp = new TempDir("fleet-burn");
        var device = await DeviceFiles.CreateAsync(temp.Path, Serial);
        var target = Existing(temp);

        var result = await BurnToFileTests.Burn(temp, temp.Combine("nope.img.xz"), target, device, "--yes");

        AssertRefused(result, "image '" + temp.Combine("nope.img.xz") + "' not found");
        AssertUnchanged(temp, target);
    }

    [Fact]
    public async Task Refuses_a_truncated_img_xz_and_leaves_the_target_unchanged()
    {
        using var temp = new TempDir("fleet-burn");
        var image = await PiImage.CreateAsync(temp.Path);
        var compressed = await image.CompressAsync();
        var bytes = File.ReadAllBytes(compressed);
        File.WriteAllBytes(compressed, bytes[..(bytes.Length * 2 / 3)]);
        var device = await DeviceFiles.CreateAsync(temp.Path, Serial);
        var target = Existing(temp);

        var result = await BurnToFileTests.Burn(temp, compressed, target, device, "--yes");

        AssertRefused(result, "is truncated or corrupt");
        AssertUnchanged(temp, target);
    }

    [Fact]
    public async Task Refuses_an_img_xz_corrupted_inside_the_stream()
    {
        using var temp = new TempDir("fleet-burn");
        var image = await PiImage.CreateAsync(temp.Path);
        var compressed = await image.CompressAsync();
        var bytes = File.ReadAllBytes(compressed);
        // Keep the index at the end intact, so only decoding the data (CRC) can find the damage.
        bytes[bytes.Length / 2] ^= 0x55;
        File.WriteAllBytes(compressed, bytes);
        var device = await DeviceFiles.CreateAsync(temp.Path, Serial);
        var target = Existing(temp);

        var result = await BurnToFileTests.Burn(temp, compressed, target, device, "--yes");

        AssertRefused(result, "is truncated or corrupt");
        AssertUnchanged(temp, target);
    }

    [Fact]
    public async Task Refuses_a_block_device_without_yes()
    {
        using var temp = new TempDir("fleet-burn");
        var image = await PiImage.CreateAsync(temp.Path);
        var device = await DeviceFiles.CreateAsync(temp.Path, Serial);
        // A device node made for the test; an unused loop minor, never opened because the refusal comes first.
        var node = temp.Combine("sdz");
        await HostCommand.RunAsync("mknod", node, "b", "7", "250");

        var result = await BurnToFileTests.Burn(temp, image.Path, node, device);

        AssertRefused(result, "is a block device: burning erases everything on it");
        Assert.Contains("--yes", result.StandardError);
    }

    [Fact]
    public async Task Refuses_a_mounted_block_device_even_with_yes()
    {
        using var temp = new TempDir("fleet-burn");
        var image = await PiImage.CreateAsync(temp.Path);
        var device = await DeviceFiles.CreateAsync(temp.Path, Serial);
        var (mounted, mountPoint) = MountedBlockDevice();
        // A second node for the mounted disk: the guard must recognise it by its numbers, not its name.
        var node = temp.Combine("card");
        await HostCommand.RunAsync("mknod", node, "b", mounted.Major.ToString(CultureInfo.InvariantCulture), mounted.Minor.ToString(CultureInfo.InvariantCulture));

        var result = await BurnToFileTests.Burn(temp, image.Path, node, device, "--yes");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Single(result.StandardError.Trim().Split('\n'));
        Assert.Matches(mountPoint == "/" ? "disk holding the running system's root filesystem" : "is mounted", result.StandardError);
    }

    [Fact]
    public async Task Refuses_provisioning_made_for_another_device()
    {
        using var temp = new TempDir("fleet-burn");
        var image = await PiImage.CreateAsync(temp.Path);
        var other = await DeviceFiles.CreateAsync(temp.Path, "tank-0007");
        var target = Existing(temp);

        var result = await BurnToFileTests.Burn(temp, image.Path, target, other, "--yes");

        AssertRefused(result, "is for device 'tank-0007', not 'tank-0042'");
        AssertUnchanged(temp, target);
    }

    [Fact]
    public async Task Refuses_provisioning_without_the_device_key()
    {
        using var temp = new TempDir("fleet-burn");
        var image = await PiImage.CreateAsync(temp.Path);
        var device = await DeviceFiles.CreateAsync(temp.Path, Serial);
        File.Delete(Path.Combine(device.Provisioning, "device.key"));
        var target = Existing(temp);

        var result = await BurnToFileTests.Burn(temp, image.Path, target, device, "--yes");

        AssertRefused(result, "has no device.key");
        AssertUnchanged(temp, target);
    }

    [Theory]
    [InlineData("sim", false, "is for platform 'sim', not a Raspberry Pi")]
    [InlineData("rpi4", true, "payload does not match its manifest")]
    public async Task Refuses_a_bundle_that_cannot_run_on_the_pi(string platform, bool corrupt, string message)
    {
        using var temp = new TempDir("fleet-burn");
        var image = await PiImage.CreateAsync(temp.Path);
        var device = await DeviceFiles.CreateAsync(temp.Path, Serial, platform, corrupt);
        var target = Existing(temp);

        var result = await BurnToFileTests.Burn(temp, image.Path, target, device, "--yes");

        AssertRefused(result, message);
        AssertUnchanged(temp, target);
    }

    [Fact]
    public async Task Refuses_a_bundle_not_signed_by_a_key_the_device_trusts()
    {
        using var temp = new TempDir("fleet-burn");
        var image = await PiImage.CreateAsync(temp.Path);
        var device = await DeviceFiles.CreateAsync(temp.Path, Serial, signedByAnotherKey: true);
        var target = Existing(temp);

        var result = await BurnToFileTests.Burn(temp, image.Path, target, device, "--yes");

        AssertRefused(result, "does not verify against the device's trusted keys (UnknownKey");
        AssertUnchanged(temp, target);
    }

    [Fact]
    public async Task Refuses_an_image_without_cloud_init_after_writing_nothing_to_the_target()
    {
        using var temp = new TempDir("fleet-burn");
        var image = await PiImage.CreateAsync(temp.Path, userData: null);
        var device = await DeviceFiles.CreateAsync(temp.Path, Serial);
        var target = Existing(temp);

        var result = await BurnToFileTests.Burn(temp, image.Path, target, device, "--yes");

        AssertRefused(result, "has no cloud-init user-data");
        AssertUnchanged(temp, target);
    }

    [Fact]
    public async Task Refuses_a_directory_target()
    {
        using var temp = new TempDir("fleet-burn");
        var image = await PiImage.CreateAsync(temp.Path);
        var device = await DeviceFiles.CreateAsync(temp.Path, Serial);

        var result = await BurnToFileTests.Burn(temp, image.Path, temp.Path, device);

        AssertRefused(result, "is a directory");
    }

    [Fact]
    public async Task Refuses_a_target_in_a_missing_directory()
    {
        using var temp = new TempDir("fleet-burn");
        var image = await PiImage.CreateAsync(temp.Path);
        var device = await DeviceFiles.CreateAsync(temp.Path, Serial);

        var result = await BurnToFileTests.Burn(temp, image.Path, temp.Combine("no-such-dir", "card.img"), device);

        AssertRefused(result, "does not exist; create it or pick another path");
        Assert.False(Directory.Exists(temp.Combine("no-such-dir")));
    }

    [Fact]
    public async Task Refuses_to_replace_an_existing_image_file_without_yes()
    {
        using var temp = new TempDir("fleet-burn");
        var image = await PiImage.CreateAsync(temp.Path);
        var device = await DeviceFiles.CreateAsync(temp.Path, Serial);
        var target = Existing(temp);

        var result = await BurnToFileTests.Burn(temp, image.Path, target, device);

        AssertRefused(result, $"target '{target}' exists ({Original.Length} bytes); add --yes to replace it");
        AssertUnchanged(temp, target);
        var replaced = await BurnToFileTests.Burn(temp, image.Path, target, device, "--yes");
        Assert.True(replaced.ExitCode == 0, replaced.ToString());
        Assert.NotEqual(Original, File.ReadAllText(target));
    }

    [Theory]
    [InlineData("/dev/nonexistent")]
    [InlineData("/dev/sdx")]
    public async Task Refuses_a_missing_device_under_dev_and_creates_nothing_there(string target)
    {
        Assert.False(File.Exists(target));
        using var temp = new TempDir("fleet-burn");
        var image = await PiImage.CreateAsync(temp.Path);
        var device = await DeviceFiles.CreateAsync(temp.Path, Serial);

        var result = await BurnToFileTests.Burn(temp, image.Path, target, device, "--yes");

        AssertRefused(result, $"target '{target}' does not exist: there is no such device (nothing is ever created under /dev)");
        Assert.False(File.Exists(target));
        Assert.Empty(Directory.EnumerateFiles("/dev", "*fleet-burn*"));
    }

    private static string Existing(TempDir temp)
    {
        var target = temp.Combine("card.img");
        File.WriteAllText(target, Original);
        return target;
    }

    private static void AssertRefused(ProcessResult result, string message)
    {
        Assert.True(result.ExitCode != 0, result.ToString());
        var line = Assert.Single(result.StandardError.Trim().Split('\n'));
        Assert.StartsWith("fleet: ", line);
        Assert.Contains(message, line);
    }

    private static void AssertUnchanged(TempDir temp, string target)
    {
        Assert.Equal(Original, File.ReadAllText(target));
        Assert.Equal(new[] { Path.GetFileName(target) }, Directory.EnumerateFiles(temp.Path, "*card.img*").Select(Path.GetFileName));
    }

    /// <summary>A block device this machine has mounted, preferring the one holding /, read from mountinfo and
    /// checked against sysfs (containers mount the host's disk for /etc/hosts even when / is an overlay).</summary>
    private static ((int Major, int Minor) Device, string MountPoint) MountedBlockDevice()
    {
        var candidates = new List<((int, int) Device, string MountPoint)>();
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var fields = line.Split(' ');
            var numbers = fields[2].Split(':');
            if (Directory.Exists(Path.Combine("/sys/dev/block", fields[2])))
            {
                candidates.Add(((int.Parse(numbers[0], CultureInfo.InvariantCulture), int.Parse(numbers[1], CultureInfo.InvariantCulture)), fields[4]));
            }
        }

        Assert.True(candidates.Count > 0, "this machine has no mounted block device to test against");
        return candidates.OrderBy(c => c.MountPoint == "/" ? 0 : 1).First();
    }
}
