using Fleet.Testing;

namespace Fleet.Cli.Tests.Build;

/// <summary>The commands docs/hub.md gives for installing `fleet` as a .NET tool from a locally packed nupkg. Packs
/// the CLI already built for the tests (--no-build, so the binaries other tests run are not rebuilt underneath them).</summary>
public sealed class ToolPackageTests
{
    [Fact]
    public async Task The_cli_packs_as_a_tool_that_installs_from_a_local_folder_and_runs()
    {
        _ = RepoPaths.CliDll;
        using var temp = new TempDir("fleet-tool");
        var feed = temp.Combine("nupkg");
        var tools = temp.Combine("tools");

        var pack = await ProductProcess.RunAsync("dotnet", ["pack", Path.Combine(RepoPaths.Root, "tools", "Fleet.Cli"), "-c", RepoPaths.Configuration, "--no-build", "-o", feed, "-nologo"]);
        Assert.True(pack.ExitCode == 0, pack.ToString());
        Assert.Single(Directory.GetFiles(feed, "Fleet.Cli.*.nupkg"));

        // A private package cache: the global one may hold an earlier Fleet.Cli of the same version.
        var install = await ProductProcess.RunAsync("dotnet", ["tool", "install", "--tool-path", tools, "--add-source", feed, "Fleet.Cli"],
            environment: new Dictionary<string, string?> { ["NUGET_PACKAGES"] = temp.Combine("packages") });
        Assert.True(install.ExitCode == 0, install.ToString());

        var help = await ProductProcess.RunAsync(Path.Combine(tools, "fleet"), ["--help"]);
        Assert.True(help.ExitCode == 0, help.ToString());
        Assert.Contains("signed firmware, devices and deployments", help.StandardOutput, StringComparison.Ordinal);
    }
}
