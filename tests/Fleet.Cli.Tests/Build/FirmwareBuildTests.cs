using System.Text.Json;
using Fleet.Testing;

namespace Fleet.Cli.Tests.Build;

/// <summary><c>fleet firmware build</c> end to end: real publishes of the agent, the bundle checked with the CLI,
/// unpacked as a device would, and the agent started: the arm64 one under qemu-user (the emulated Pi), the sim one
/// with dotnet and through fleet-boot.</summary>
public sealed class FirmwareBuildTests(BuiltFirmware built) : IClassFixture<BuiltFirmware>
{
    private const int ElfMachineAarch64 = 0xB7;
    private const int ExecutableMode = 0b111_101_101;

    [Fact]
    public async Task The_rpi4_bundle_verifies_with_the_signing_key_for_its_product_platform_and_architecture()
    {
        var result = await Fleet("firmware", "verify", built.PiBundle, "--public-key", built.PublicKey,
            "--product", "algae-tank", "--platform", "rpi4", "--architecture", "arm64");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("verified", result.StandardOutput);
        Assert.Contains("signed with key", built.PiBuild.StandardOutput);
    }

    [Fact]
    public async Task The_rpi4_manifest_names_the_platform_the_architecture_and_the_prerelease_version()
    {
        var result = await Fleet("firmware", "inspect", built.PiBundle, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var doc = JsonDocument.Parse(result.StandardOutput);
        var manifest = doc.RootElement.GetProperty("manifest");
        Assert.Equal("algae-tank", manifest.GetProperty("product").GetString());
        Assert.Equal("rpi4", manifest.GetProperty("platform").GetString());
        Assert.Equal("arm64", manifest.GetProperty("architecture").GetString());
        Assert.Equal(BuiltFirmware.PiVersion, manifest.GetProperty("version").GetString());
        Assert.Equal("linux-arm64", manifest.GetProperty("misc").GetProperty("runtime").GetString());
        Assert.Equal("true", manifest.GetProperty("misc").GetProperty("selfContained").GetString());
        Assert.Matches("^[0-9a-f]{40}(\\+dirty)?$", manifest.GetProperty("vcs").GetString());
    }

    [Fact]
    public void The_rpi4_payload_is_a_self_contained_aarch64_agent_whose_apphost_stays_executable()
    {
        var agent = Path.Combine(built.PiSlot, "Fleet.Device");

        Assert.Equal(ExecutableMode, Posix.Mode(agent) & 0b111_111_111);
        Assert.Equal(ElfMachineAarch64, ElfMachine(agent));
        Assert.True(File.Exists(Path.Combine(built.PiSlot, "libcoreclr.so")), "the runtime must travel with a Pi agent");
        Assert.Equal(ElfMachineAarch64, ElfMachine(Path.Combine(built.PiSlot, "libcoreclr.so")));
        Assert.Equal(0b110_100_100, Posix.Mode(Path.Combine(built.PiSlot, "Fleet.Device.dll")) & 0b111_111_111);
    }

    [Fact]
    public async Task The_unpacked_arm64_agent_runs_under_qemu_and_reports_the_stamped_version()
    {
        var result = await ProductProcess.RunAsync("qemu-aarch64-static", [Path.Combine(built.PiSlot, "Fleet.Device"), "--version"], built.PiSlot,
            timeout: TimeSpan.FromMinutes(2));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(BuiltFirmware.PiVersion, result.StandardOutput.Trim());
    }

    [Fact]
    public async Task The_sim_bundle_is_framework_dependent_and_runs_with_dotnet()
    {
        var result = await ProductProcess.RunAsync(Path.Combine(built.SimSlot, "Fleet.Device.dll"), ["--version"], built.SimSlot);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(BuiltFirmware.SimVersion, result.StandardOutput.Trim());
        Assert.False(File.Exists(Path.Combine(built.SimSlot, "Fleet.Device")), "sim has no apphost: fleet-boot runs it with dotnet");
        Assert.False(File.Exists(Path.Combine(built.SimSlot, "libcoreclr.so")), "sim uses the machine's runtime");
        Assert.Contains($"for sim/{BuiltFirmware.HostArchitecture}", built.SimBuild.StandardOutput);
        Assert.Contains("unsigned", built.SimBuild.StandardOutput);
    }

    [Fact]
    public async Task Fleet_boot_starts_the_sim_agent_installed_as_the_committed_slot()
    {
        using var root = new TempDir("fleet-build-boot");
        CopyTree(built.SimSlot, root.Combine("slots", "a"));
        File.WriteAllText(root.Combine("boot.json"), """{"active":"a","committed":"a","trial":null}""");

        var result = await ProductProcess.RunAsync("sh", [RepoPaths.FleetBoot, "--root", root.Path, "--", "--version"], root.Path);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(BuiltFirmware.SimVersion, result.StandardOutput.Trim());
    }

    private Task<ProcessResult> Fleet(params string[] args) =>
        ProductProcess.RunAsync(RepoPaths.CliDll, args, built.Root, built.Environment, TimeSpan.FromMinutes(2));

    /// <summary>e_machine of an ELF file (offset 18, little-endian), to tell an arm64 binary from a host one.</summary>
    private static int ElfMachine(string path)
    {
        var header = new byte[20];
        using var file = File.OpenRead(path);
        file.ReadExactly(header);
        Assert.True(header[0] == 0x7F && header[1] == (byte)'E' && header[2] == (byte)'L' && header[3] == (byte)'F', $"{path} is not an ELF file");
        return header[18] | (header[19] << 8);
    }

    private static void CopyTree(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var dir in Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(destination, Path.GetRelativePath(source, dir)));
        }

        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(destination, Path.GetRelativePath(source, file)));
        }
    }
}
