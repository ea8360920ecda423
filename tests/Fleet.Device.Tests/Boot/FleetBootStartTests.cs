using Fleet.Testing;

namespace Fleet.Device.Tests.Boot;

/// <summary>fleet-boot with no trial pending: it starts the committed slot's agent and leaves boot.json alone.</summary>
public sealed class FleetBootStartTests
{
    private const string Committed = """{"active":"a","committed":"a","trial":null}""";

    [Fact]
    public async Task Starts_the_committed_slot_with_the_root_and_the_agent_arguments()
    {
        using var root = new BootRoot();
        root.AddAgent("a", exitCode: 0);
        root.AddAgent("b", exitCode: 0);
        root.WriteBoot(Committed);
        root.LinkCurrent("a");

        var result = await root.BootAsync("--", "--simulate", "--verbose");

        Assert.Equal(0, result.ExitCode);
        var start = Assert.Single(root.StartsOf("a"));
        Assert.StartsWith($"--root {root.Path} --simulate --verbose|a|", start);
        Assert.Empty(root.StartsOf("b"));
        Assert.Equal(Committed, File.ReadAllText(root.BootJson).Trim());
        Assert.Equal("slots/a", root.CurrentTarget);
    }

    [Fact]
    public async Task Passes_the_agent_exit_code_through_so_systemd_sees_the_failure()
    {
        using var root = new BootRoot();
        root.AddAgent("a", exitCode: 3);
        root.WriteBoot(Committed);

        var result = await root.BootAsync();

        Assert.Equal(3, result.ExitCode);
        Assert.Single(root.StartsOf("a"));
    }

    [Fact]
    public async Task Creates_the_current_link_when_it_is_missing()
    {
        using var root = new BootRoot();
        root.AddAgent("a", exitCode: 0);
        root.AddAgent("b", exitCode: 0);
        root.WriteBoot("""{"active":"b","committed":"b","trial":null}""");

        var result = await root.BootAsync();

        Assert.Equal(0, result.ExitCode);
        Assert.Single(root.StartsOf("b"));
        Assert.Equal("slots/b", root.CurrentTarget);
    }

    [Fact]
    public async Task Reads_boot_json_written_with_indentation_and_other_key_order()
    {
        using var root = new BootRoot();
        root.AddAgent("a", exitCode: 0);
        root.AddAgent("b", exitCode: 0);
        root.WriteBoot("{\n  \"trial\": null,\n  \"committed\": \"b\",\n  \"active\": \"b\"\n}\n");

        var result = await root.BootAsync();

        Assert.Equal(0, result.ExitCode);
        Assert.Single(root.StartsOf("b"));
        Assert.Empty(root.StartsOf("a"));
    }

    [Fact]
    public async Task Runs_a_framework_dependent_slot_through_dotnet()
    {
        using var root = new BootRoot();
        root.AddEmptySlot("a");
        File.WriteAllText(System.IO.Path.Combine(root.Path, "slots", "a", "Fleet.Device.dll"), "not run here");
        root.WriteBoot(Committed);
        // A stand-in `dotnet` first on PATH records how it was called.
        using var bin = new TempDir("fleet-boot-bin");
        var dotnet = bin.Combine("dotnet");
        var calls = bin.Combine("calls");
        File.WriteAllText(dotnet, $"#!/bin/sh\necho \"$*\" > '{calls}'\n");
        File.SetUnixFileMode(dotnet, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);

        var result = await root.BootWithEnvironmentAsync(
            new Dictionary<string, string?> { ["PATH"] = bin.Path + ":" + Environment.GetEnvironmentVariable("PATH") },
            "--", "--simulate");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal($"{root.Path}/slots/a/Fleet.Device.dll --root {root.Path} --simulate", File.ReadAllText(calls).Trim());
    }

    [Theory]
    [InlineData("--max-attempts", "0")]
    [InlineData("--max-attempts", "three")]
    [InlineData("--bogus", "1")]
    public async Task Refuses_bad_options_without_starting_anything(string option, string value)
    {
        using var root = new BootRoot();
        root.AddAgent("a", exitCode: 0);
        root.WriteBoot(Committed);

        var result = await root.BootAsync(option, value);

        Assert.Equal(64, result.ExitCode);
        Assert.Contains("fleet-boot:", result.StandardError);
        Assert.Empty(root.StartsOf("a"));
    }

    [Fact]
    public async Task Refuses_a_missing_root_directory()
    {
        using var temp = new TempDir();
        var missing = temp.Combine("nope");

        var result = await ProductProcess.RunAsync("/bin/sh", [RepoPaths.FleetBoot, "--root", missing]);

        Assert.Equal(66, result.ExitCode);
        Assert.Contains($"root directory '{missing}' does not exist", result.StandardError);
    }

    [Fact]
    public async Task Is_clean_under_shellcheck_as_posix_sh()
    {
        var result = await ProductProcess.RunAsync("shellcheck", ["--shell=sh", "--severity=style", RepoPaths.FleetBoot]);

        Assert.True(result.ExitCode == 0, result.ToString());
    }
}
