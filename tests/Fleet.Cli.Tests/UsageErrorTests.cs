using Fleet.Testing;

namespace Fleet.Cli.Tests;

public sealed class UsageErrorTests
{
    [Theory]
    [InlineData(new[] { "firmware", "verify", "x.fwb" }, "Option '--public-key' is required", "fleet firmware verify --help")]
    [InlineData(new[] { "frobnicate" }, "Unrecognized command or argument 'frobnicate'", "fleet --help")]
    public async Task A_wrong_command_line_is_one_line_naming_the_help_to_read(string[] args, string what, string help)
    {
        using var config = new TempDir();
        var result = await ProductProcess.RunAsync(RepoPaths.CliDll, args, environment: new Dictionary<string, string?> { ["FLEET_CONFIG_DIR"] = config.Path });

        Assert.Equal(64, result.ExitCode);
        var line = Assert.Single(result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("fleet: ", line);
        Assert.Contains(what, line);
        Assert.Contains(help, line);
        Assert.Equal(string.Empty, result.StandardOutput);
    }
}
