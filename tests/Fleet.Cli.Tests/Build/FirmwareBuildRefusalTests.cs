using Fleet.Testing;

namespace Fleet.Cli.Tests.Build;

/// <summary>What <c>fleet firmware build</c> refuses: one line on stderr naming the problem, a non-zero exit,
/// and no bundle written. Everything but the broken-project case is refused before any publish starts.</summary>
public sealed class FirmwareBuildRefusalTests
{
    private static string DeviceProject => Path.Combine(RepoPaths.Root, "device", "Fleet.Device");

    [Theory]
    [InlineData("rpi4", "x64", "architecture 'x64' in --architecture does not run on rpi4")]
    [InlineData("sim", "arm", "architecture 'arm' in --architecture is not built for sim")]
    [InlineData("rpi9", "arm64", "unknown platform 'rpi9' in --platform")]
    public async Task A_platform_and_architecture_that_do_not_go_together_are_refused(string platform, string architecture, string expected)
    {
        using var dir = new TempDir();
        var cli = new FleetCli(dir.Combine("config"));

        var result = await cli.RunAsync(dir.Path, "firmware", "build", "--platform", platform, "--architecture", architecture,
            "--version", "1.0.0", "--output", "fw.fwb", "--project", DeviceProject);

        Assert.Contains(expected, FleetCli.AssertOneLineFailure(result));
        Assert.False(File.Exists(dir.Combine("fw.fwb")));
    }

    [Fact]
    public async Task A_version_that_is_not_semver_is_refused()
    {
        using var dir = new TempDir();
        var cli = new FleetCli(dir.Combine("config"));

        var result = await cli.RunAsync(dir.Path, "firmware", "build", "--platform", "rpi4", "--architecture", "arm64",
            "--version", "1.2", "--output", "fw.fwb", "--project", DeviceProject);

        Assert.Contains("invalid version '1.2' in --version", FleetCli.AssertOneLineFailure(result));
    }

    [Fact]
    public async Task Outside_a_checkout_without_project_the_agent_is_not_found()
    {
        using var dir = new TempDir();
        var cli = new FleetCli(dir.Combine("config"));

        var result = await cli.RunAsync(dir.Path, "firmware", "build", "--platform", "rpi4", "--architecture", "arm64",
            "--version", "1.0.0", "--output", "fw.fwb");

        var line = FleetCli.AssertOneLineFailure(result);
        Assert.Contains("no Fleet.sln in " + dir.Path, line);
        Assert.Contains("--project", line);
    }

    [Fact]
    public async Task A_missing_signing_key_is_refused_before_publishing()
    {
        using var dir = new TempDir();
        var cli = new FleetCli(dir.Combine("config"));

        var result = await cli.RunAsync(dir.Path, "firmware", "build", "--platform", "rpi4", "--architecture", "arm64",
            "--version", "1.0.0", "--output", "fw.fwb", "--project", DeviceProject, "--key", "nosuchkey");

        Assert.Contains("no private key 'nosuchkey'", FleetCli.AssertOneLineFailure(result));
        Assert.False(File.Exists(dir.Combine("fw.fwb")));
    }

    [Fact]
    public async Task An_output_folder_that_does_not_exist_is_refused()
    {
        using var dir = new TempDir();
        var cli = new FleetCli(dir.Combine("config"));

        var result = await cli.RunAsync(dir.Path, "firmware", "build", "--platform", "sim", "--architecture", "x64",
            "--version", "1.0.0", "--output", "missing/fw.fwb", "--project", DeviceProject);

        Assert.Contains("directory " + dir.Combine("missing") + " does not exist", FleetCli.AssertOneLineFailure(result));
    }

    [Fact]
    public async Task A_project_that_does_not_compile_fails_with_the_compiler_error_and_writes_no_bundle()
    {
        using var dir = new TempDir();
        var cli = new FleetCli(dir.Combine("config"));
        Directory.CreateDirectory(dir.Combine("broken"));
        File.WriteAllText(dir.Combine("broken", "Broken.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
              </PropertyGroup>
            </Project>
            """);
        File.WriteAllText(dir.Combine("broken", "Program.cs"), "System.Console.WriteLine(\"agent\")\n");

        var result = await cli.RunAsync(dir.Path, "firmware", "build", "--platform", "sim", "--architecture", BuiltFirmware.HostArchitecture,
            "--version", "1.0.0", "--output", "fw.fwb", "--project", "broken");

        var line = FleetCli.AssertOneLineFailure(result);
        Assert.Contains("dotnet publish of " + dir.Combine("broken", "Broken.csproj"), line);
        Assert.Contains("error CS1002", line);
        Assert.Contains("no bundle was written", line);
        var log = System.Text.RegularExpressions.Regex.Match(line, "full log in (\\S+publish\\.log)").Groups[1].Value;
        Assert.Contains("error CS1002", File.ReadAllText(log));
        Assert.False(File.Exists(dir.Combine("fw.fwb")));
        Directory.Delete(Path.GetDirectoryName(log)!, recursive: true);
    }
}
