using System.Formats.Tar;
using System.Security.Cryptography;
using Fleet.Testing;

namespace Fleet.Device.Tests.Boot;

/// <summary>device/packaging/install.sh lays out a device root that fleet-boot can start, with the key kept
/// private. Run with --destdir and --no-activate, which is exactly what it does on a Pi minus users and systemctl.</summary>
public sealed class InstallScriptTests
{
    private static string Script => Path.Combine(RepoPaths.Root, "device", "packaging", "install.sh");

    [Fact]
    public async Task Installs_the_layout_and_fleet_boot_starts_the_installed_agent()
    {
        using var temp = new TempDir("fleet-install");
        var source = CardDirectory(temp);
        var dest = temp.Combine("rootfs");

        var install = await ProductProcess.RunAsync("/bin/sh", [Script, "--from", source, "--destdir", dest, "--no-activate"]);

        Assert.True(install.ExitCode == 0, install.ToString());
        var state = Path.Combine(dest, "var", "lib", "fleet");
        Assert.Equal(0b111_101_101, Posix.Mode(Path.Combine(dest, "usr", "local", "sbin", "fleet-boot")));
        Assert.Equal(File.ReadAllText(RepoPaths.FleetBoot), File.ReadAllText(Path.Combine(dest, "usr", "local", "sbin", "fleet-boot")));
        Assert.True(File.Exists(Path.Combine(dest, "etc", "systemd", "system", "fleet-agent.service")));
        Assert.True(File.Exists(Path.Combine(dest, "etc", "udev", "rules.d", "60-fleet-gpio-i2c.rules")));
        Assert.Equal("""{"active":"a","committed":"a","trial":null}""", File.ReadAllText(Path.Combine(state, "boot.json")).Trim());
        Assert.Equal("slots/a", new FileInfo(Path.Combine(state, "current")).LinkTarget);
        Assert.Equal("{\"version\":\"1.0.0\"}", File.ReadAllText(Path.Combine(state, "slots", "a", "manifest.json")));
        Assert.Equal(0b110_000_000, Posix.Mode(Path.Combine(state, "provisioning", "device.key")));
        Assert.Equal("KEY", File.ReadAllText(Path.Combine(state, "provisioning", "device.key")));
        Assert.Equal("PUB", File.ReadAllText(Path.Combine(state, "provisioning", "trusted-keys", "release.pub")));
        Assert.Equal("{}", File.ReadAllText(Path.Combine(state, "agent.json")));

        var boot = await ProductProcess.RunAsync("/bin/sh",
            [Path.Combine(dest, "usr", "local", "sbin", "fleet-boot"), "--root", state, "--", "--simulate"]);

        Assert.Equal(0, boot.ExitCode);
        Assert.Equal($"agent --root {state} --simulate", File.ReadAllText(Path.Combine(state, "ran")).Trim());
    }

    [Fact]
    public async Task Removes_the_source_with_the_device_key_when_asked()
    {
        using var temp = new TempDir("fleet-install");
        var source = CardDirectory(temp);

        var install = await ProductProcess.RunAsync("/bin/sh",
            [Script, "--from", source, "--destdir", temp.Combine("rootfs"), "--no-activate", "--remove-source"]);

        Assert.True(install.ExitCode == 0, install.ToString());
        Assert.False(Directory.Exists(source));
    }

    [Fact]
    public async Task Installs_the_trust_store_whole_readable_by_all_and_refuses_a_card_with_half_of_it()
    {
        using var temp = new TempDir("fleet-install");
        var source = CardDirectory(temp);
        var trust = Directory.CreateDirectory(Path.Combine(source, "provisioning", "trust")).FullName;
        File.WriteAllText(Path.Combine(trust, "root.json"), "ROOT");
        File.WriteAllText(Path.Combine(trust, "targets.json"), "TARGETS");

        var half = await ProductProcess.RunAsync("/bin/sh", [Script, "--from", source, "--destdir", temp.Combine("half"), "--no-activate"]);

        Assert.Equal(1, half.ExitCode);
        Assert.Contains("provisioning/trust/membership.json is missing", half.StandardError);
        Assert.False(Directory.Exists(temp.Combine("half")));

        File.WriteAllText(Path.Combine(trust, "membership.json"), "{\"tags\":[],\"groups\":[]}");
        var dest = temp.Combine("rootfs");
        var install = await ProductProcess.RunAsync("/bin/sh", [Script, "--from", source, "--destdir", dest, "--no-activate"]);

        Assert.True(install.ExitCode == 0, install.ToString());
        var installed = Path.Combine(dest, "var", "lib", "fleet", "provisioning", "trust");
        Assert.Equal(["membership.json", "root.json", "targets.json"], Directory.GetFiles(installed).Select(Path.GetFileName).Order());
        Assert.Equal("TARGETS", File.ReadAllText(Path.Combine(installed, "targets.json")));
        Assert.All(Directory.GetFiles(installed), f => Assert.Equal(0b110_100_100, Posix.Mode(f)));
        Assert.False(Directory.Exists(installed + ".next"));
    }

    [Fact]
    public async Task Refuses_a_damaged_payload_and_installs_nothing()
    {
        using var temp = new TempDir("fleet-install");
        var source = CardDirectory(temp);
        using (var payload = File.OpenWrite(Path.Combine(source, "firmware", "payload.tar")))
        {
            payload.Seek(600, SeekOrigin.Begin);
            payload.WriteByte(0x42);
        }

        var dest = temp.Combine("rootfs");
        var install = await ProductProcess.RunAsync("/bin/sh", [Script, "--from", source, "--destdir", dest, "--no-activate"]);

        Assert.Equal(1, install.ExitCode);
        Assert.Contains("firmware/payload.tar is damaged", install.StandardError);
        Assert.False(Directory.Exists(dest));
    }

    [Fact]
    public async Task Keeps_installed_slots_when_run_again()
    {
        using var temp = new TempDir("fleet-install");
        var source = CardDirectory(temp);
        var dest = temp.Combine("rootfs");
        var state = Path.Combine(dest, "var", "lib", "fleet");
        await ProductProcess.RunAsync("/bin/sh", [Script, "--from", source, "--destdir", dest, "--no-activate"]);
        File.WriteAllText(Path.Combine(state, "boot.json"), """{"active":"b","committed":"b","trial":null}""");

        var again = await ProductProcess.RunAsync("/bin/sh", [Script, "--from", source, "--destdir", dest, "--no-activate"]);

        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("keeping the installed firmware", again.StandardError);
        Assert.Equal("""{"active":"b","committed":"b","trial":null}""", File.ReadAllText(Path.Combine(state, "boot.json")));
    }

    public static TheoryData<string, string> HostilePayloads => new()
    {
        { "setuid", "holds a setuid or setgid file (bin/su, mode -rwsr-xr-x)" },
        { "setgid", "holds a setuid or setgid file (bin/sg, mode -rwxr-sr-x)" },
        { "device", "holds a device node (dev/mem)" },
        { "fifo", "holds a FIFO (pipe)" },
        { "absolute-link", "holds a symlink out of the slot (etc -> /etc)" },
        { "climbing-link", "holds a symlink out of the slot (up -> ../../../../etc)" },
        { "hard-link", "holds a hard link (shadow link to /etc/shadow)" },
        { "climbing-name", "holds an entry outside the slot (../escaped)" },
    };

    /// <summary>The first firmware is unpacked by root, so it meets the agent's extractor rules: anything else is
    /// refused before a byte is unpacked, with nothing installed.</summary>
    [Theory]
    [MemberData(nameof(HostilePayloads))]
    public async Task Refuses_a_payload_the_agent_would_refuse_and_installs_nothing(string kind, string message)
    {
        using var temp = new TempDir("fleet-install");
        var source = CardDirectory(temp, writer => writer.WriteEntry(Hostile(kind)));
        var dest = temp.Combine("rootfs");

        var install = await ProductProcess.RunAsync("/bin/sh", [Script, "--from", source, "--destdir", dest, "--no-activate"]);

        Assert.True(install.ExitCode == 1, install.ToString());
        Assert.Contains($"firmware/payload.tar {message}", install.StandardError);
        Assert.Single(install.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.False(Directory.Exists(dest));
        Assert.False(File.Exists(temp.Combine("escaped")));
    }

    private static UstarTarEntry Hostile(string kind)
    {
        const UnixFileMode rwxr_xr_x = (UnixFileMode)0b111_101_101;
        UstarTarEntry Regular(string name, UnixFileMode mode) =>
            new(TarEntryType.RegularFile, name) { Mode = mode, DataStream = new MemoryStream("x"u8.ToArray()) };
        return kind switch
        {
            "setuid" => Regular("bin/su", rwxr_xr_x | UnixFileMode.SetUser),
            "setgid" => Regular("bin/sg", rwxr_xr_x | UnixFileMode.SetGroup),
            "device" => new UstarTarEntry(TarEntryType.CharacterDevice, "dev/mem") { DeviceMajor = 1, DeviceMinor = 1, Mode = (UnixFileMode)0b110_100_100 },
            "fifo" => new UstarTarEntry(TarEntryType.Fifo, "pipe") { Mode = (UnixFileMode)0b110_100_100 },
            "absolute-link" => new UstarTarEntry(TarEntryType.SymbolicLink, "etc") { LinkName = "/etc" },
            "climbing-link" => new UstarTarEntry(TarEntryType.SymbolicLink, "up") { LinkName = "../../../../etc" },
            "hard-link" => new UstarTarEntry(TarEntryType.HardLink, "shadow") { LinkName = "/etc/shadow" },
            "climbing-name" => Regular("../escaped", (UnixFileMode)0b110_100_100),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }

    [Fact]
    public async Task Is_clean_under_shellcheck_as_posix_sh()
    {
        var result = await ProductProcess.RunAsync("shellcheck", ["--shell=sh", "--severity=style", Script]);

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    /// <summary>The fleet/ directory as `fleet device burn` writes it to the boot partition, with a payload whose
    /// "agent" is a shell script that records how it was started.</summary>
    private static string CardDirectory(TempDir temp, Action<TarWriter>? extra = null)
    {
        var card = temp.Combine("card", "fleet");
        var packaging = Path.Combine(RepoPaths.Root, "device", "packaging");
        Directory.CreateDirectory(Path.Combine(card, "provisioning", "trusted-keys"));
        Directory.CreateDirectory(Path.Combine(card, "firmware"));
        File.Copy(RepoPaths.FleetBoot, Path.Combine(card, "fleet-boot"));
        File.Copy(Path.Combine(packaging, "fleet-agent.service"), Path.Combine(card, "fleet-agent.service"));
        File.Copy(Path.Combine(packaging, "60-fleet-gpio-i2c.rules"), Path.Combine(card, "60-fleet-gpio-i2c.rules"));
        File.WriteAllText(Path.Combine(card, "provisioning", "device.key"), "KEY");
        File.WriteAllText(Path.Combine(card, "provisioning", "device.crt"), "CRT");
        File.WriteAllText(Path.Combine(card, "provisioning", "ca.crt"), "CA");
        File.WriteAllText(Path.Combine(card, "provisioning", "hub.json"), "{}");
        File.WriteAllText(Path.Combine(card, "provisioning", "agent.json"), "{}");
        File.WriteAllText(Path.Combine(card, "provisioning", "trusted-keys", "release.pub"), "PUB");
        File.WriteAllText(Path.Combine(card, "firmware", "manifest.json"), "{\"version\":\"1.0.0\"}");

        var published = temp.Combine("published");
        Directory.CreateDirectory(published);
        var agent = Path.Combine(published, "Fleet.Device");
        File.WriteAllText(agent, "#!/bin/sh\necho \"agent $*\" > \"$2/ran\"\n");
        File.SetUnixFileMode(agent, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
            UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var tar = Path.Combine(card, "firmware", "payload.tar");
        using (var writer = new TarWriter(File.Create(tar), TarEntryFormat.Ustar))
        {
            writer.WriteEntry(agent, "Fleet.Device");
            extra?.Invoke(writer);
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(tar)));
        File.WriteAllText(Path.Combine(card, "firmware", "payload.sha256"), $"{hash}  payload.tar\n");
        return card;
    }
}
