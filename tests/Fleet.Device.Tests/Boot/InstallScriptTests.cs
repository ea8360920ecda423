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

    [Fact]
    public async Task Is_clean_under_shellcheck_as_posix_sh()
    {
        var result = await ProductProcess.RunAsync("shellcheck", ["--shell=sh", "--severity=style", Script]);

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    /// <summary>The fleet/ directory as `fleet device burn` writes it to the boot partition, with a payload whose
    /// "agent" is a shell script that records how it was started.</summary>
    private static string CardDirectory(TempDir temp)
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
        TarFile.CreateFromDirectory(published, tar, includeBaseDirectory: false);
        var hash = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(tar)));
        File.WriteAllText(Path.Combine(card, "firmware", "payload.sha256"), $"{hash}  payload.tar\n");
        return card;
    }
}
