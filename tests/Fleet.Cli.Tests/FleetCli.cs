using Fleet.Testing;

namespace Fleet.Cli.Tests;

/// <summary>Runs the real <c>fleet</c> program with its own config dir (so keys never touch the user's).</summary>
internal sealed class FleetCli(string configDir)
{
    public string ConfigDir { get; } = configDir;

    public string KeysDir => Path.Combine(ConfigDir, "keys");

    public Task<ProcessResult> RunAsync(string workingDirectory, params string[] args) =>
        ProductProcess.RunAsync(RepoPaths.CliDll, args, workingDirectory,
            new Dictionary<string, string?> { ["FLEET_CONFIG_DIR"] = ConfigDir, ["FLEET_DEBUG"] = null },
            TimeSpan.FromMinutes(2));

    public async Task<ProcessResult> RunOkAsync(string workingDirectory, params string[] args)
    {
        var result = await RunAsync(workingDirectory, args);
        Assert.True(result.ExitCode == 0, $"fleet {string.Join(' ', args)}: {result}");
        return result;
    }

    /// <summary>A failure is exactly one line on stderr starting "fleet: ", with no stack trace.</summary>
    public static string AssertOneLineFailure(ProcessResult result)
    {
        Assert.True(result.ExitCode != 0, $"expected a failure: {result}");
        var lines = result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one line on stderr: {result}");
        Assert.StartsWith("fleet: ", lines[0]);
        Assert.DoesNotContain("   at ", result.StandardError);
        return lines[0];
    }
}
