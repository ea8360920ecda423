using Fleet.Testing;

namespace Fleet.Device.Tests.Boot;

/// <summary>fleet-boot runs the slot's agent through a launcher (an emulator such as qemu-aarch64-static) when one is
/// named by --launcher or FLEET_BOOT_LAUNCHER, passing the agent's path and arguments through unsplit.</summary>
public sealed class FleetBootLauncherTests
{
    private const string Committed = """{"active":"a","committed":"a","trial":null}""";

    [Fact]
    public async Task Runs_the_slot_agent_through_the_launcher_from_the_environment_or_the_option_with_arguments_intact()
    {
        using var root = new BootRoot();
        root.AddAgent("a", exitCode: 0);
        root.WriteBoot(Committed);
        var launcher = AddLauncher(root, "launch with space.sh");
        var agent = Path.Combine(root.Path, "slots", "a", "Fleet.Device");

        var fromEnvironment = await root.BootWithEnvironmentAsync(
            new Dictionary<string, string?> { ["FLEET_BOOT_LAUNCHER"] = launcher }, "--", "--simulate", "two words");
        var fromOption = await root.BootAsync("--launcher", launcher, "--", "--simulate");

        Assert.True(fromEnvironment.ExitCode == 0, fromEnvironment.ToString());
        Assert.True(fromOption.ExitCode == 0, fromOption.ToString());
        var launches = File.ReadAllLines(Path.Combine(root.Path, "launches.log"));
        Assert.Equal([$"5|{agent}|--root|{root.Path}|--simulate|two words", $"4|{agent}|--root|{root.Path}|--simulate"], launches);
        // The launcher exec'd the real agent, which saw the slot and its arguments as without a launcher.
        Assert.Equal([$"--root {root.Path} --simulate two words|a|{Committed}", $"--root {root.Path} --simulate|a|{Committed}"],
            root.StartsOf("a"));
    }

    [Fact]
    public async Task Refuses_a_launcher_that_is_not_a_program_and_starts_nothing()
    {
        using var root = new BootRoot();
        root.AddAgent("a", exitCode: 0);
        root.WriteBoot(Committed);

        var result = await root.BootAsync("--launcher", "no-such-emulator-here");

        Assert.Equal(64, result.ExitCode);
        Assert.Contains("launcher 'no-such-emulator-here'", result.StandardError);
        Assert.Empty(root.StartsOf("a"));
    }

    /// <summary>A launcher that logs its argument count and arguments (one line, '|'-separated), then execs them.</summary>
    private static string AddLauncher(BootRoot root, string name)
    {
        var path = Path.Combine(root.Path, name);
        var log = Path.Combine(root.Path, "launches.log");
        File.WriteAllText(path,
            "#!/bin/sh\n" +
            "line=$#\n" +
            "for a in \"$@\"; do line=\"$line|$a\"; done\n" +
            $"printf '%s\\n' \"$line\" >> '{log}'\n" +
            "exec \"$@\"\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
