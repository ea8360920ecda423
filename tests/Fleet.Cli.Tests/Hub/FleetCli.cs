using Fleet.Testing;

namespace Fleet.Cli.Tests.Hub;

/// <summary>Runs the real <c>fleet</c> process with its own config dir.</summary>
internal sealed class FleetCli(string configDir, string workingDirectory)
{
    public async Task<ProcessResult> RunAsync(params string[] args) =>
        await ProductProcess.RunAsync(RepoPaths.CliDll, args, workingDirectory,
            new Dictionary<string, string?> { ["FLEET_CONFIG_DIR"] = configDir, ["FLEET_HUB"] = null, ["FLEET_TOKEN"] = null, ["FLEET_CA_CERT"] = null },
            TimeSpan.FromMinutes(2));

    public async Task<string> OkAsync(params string[] args)
    {
        var result = await RunAsync(args);
        Assert.True(result.ExitCode == 0, $"fleet {string.Join(' ', args)}: {result}");
        return result.StandardOutput;
    }

    /// <summary>A refusal: non-zero exit and exactly one line on stderr starting "fleet: ", with no stack trace.</summary>
    public static string AssertOneLineFailureOf(ProcessResult result) => Fleet.Cli.Tests.FleetCli.AssertOneLineFailure(result);
}
