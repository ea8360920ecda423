using Fleet.Testing;

namespace Fleet.Cli.Tests.Firmware;

/// <summary>Long steps show a progress bar in a terminal and stay quiet when output is redirected.
/// The terminal is a real pseudo-terminal from util-linux <c>script</c>.</summary>
public sealed class FirmwareProgressTests
{
    [Fact]
    public async Task Create_draws_a_progress_bar_in_a_terminal()
    {
        using var dir = new TempDir();
        var payload = new byte[20_000_000];
        new Random(5).NextBytes(payload);
        File.WriteAllBytes(dir.Combine("image.bin"), payload);
        var command = $"dotnet {RepoPaths.CliDll} firmware create --product algae-tank --version 1.0.0 --platform rpi4 --architecture arm64 --payload {dir.Combine("image.bin")} --output {dir.Combine("fw.fwb")}";

        var result = await ProductProcess.RunAsync("script", ["-qec", command, "/dev/null"], dir.Path,
            new Dictionary<string, string?> { ["TERM"] = "xterm-256color", ["FLEET_CONFIG_DIR"] = dir.Combine("config") });

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("creating fw.fwb", result.StandardOutput);
        Assert.Contains("━", result.StandardOutput);
        Assert.Contains("%", result.StandardOutput);
    }

    [Fact]
    public async Task Create_prints_only_the_result_when_output_is_redirected()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.Combine("image.bin"), new byte[5_000_000]);
        var cli = new FleetCli(dir.Combine("config"));

        var result = await cli.RunOkAsync(dir.Path, "firmware", "create", "--product", "algae-tank", "--version", "1.0.0", "--platform", "rpi4",
            "--architecture", "arm64", "--payload", "image.bin", "--output", "fw.fwb");

        Assert.DoesNotContain("\u001b", result.StandardOutput);
        Assert.DoesNotContain("━", result.StandardOutput);
        Assert.StartsWith("created fw.fwb", result.StandardOutput);
        Assert.Empty(result.StandardError);
    }
}
