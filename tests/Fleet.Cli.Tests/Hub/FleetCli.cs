using Fleet.Testing;

namespace Fleet.Cli.Tests.Hub;

/// <summary>Runs the real <c>fleet</c> process with its own config dir.</summary>
internal sealed class FleetCli(string configDir, string workingDirectory)
{
    public Task<ProcessResult> RunAsync(params string[] args) => RunWithTokenAsync(null, args);

    /// <summary>Runs with <c>FLEET_TOKEN</c> set (null: unset, as every other run).</summary>
    public async Task<ProcessResult> RunWithTokenAsync(string? token, params string[] args) =>
        await ProductProcess.RunAsync(RepoPaths.CliDll, args, workingDirectory,
            new Dictionary<string, string?> { ["FLEET_CONFIG_DIR"] = configDir, ["FLEET_HUB"] = null, ["FLEET_TOKEN"] = token, ["FLEET_CA_CERT"] = null },
            TimeSpan.FromMinutes(2));

    /// <summary><c>fleet login</c> the way a script should: the token in a file only its owner can read, never in argv.</summary>
    public async Task<ProcessResult> RunLoginAsync(string hub, string token, string caCertPath)
    {
        var file = WriteTokenFile(token);
        try
        {
            return await RunAsync("login", "--hub", hub, "--token-file", file, "--ca-cert", caCertPath);
        }
        finally
        {
            File.Delete(file);
        }
    }

    public async Task<string> LoginAsync(string hub, string token, string caCertPath)
    {
        var result = await RunLoginAsync(hub, token, caCertPath);
        Assert.True(result.ExitCode == 0, $"fleet login --hub {hub}: {result}");
        return result.StandardOutput;
    }

    /// <summary>A 0600 file holding <paramref name="token"/>, next to the config dir.</summary>
    public string WriteTokenFile(string token, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        var file = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(configDir))!, $"token-{Guid.NewGuid():N}");
        using (var stream = new FileStream(file, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }))
        {
            stream.Write(System.Text.Encoding.UTF8.GetBytes(token + "\n"));
        }

        File.SetUnixFileMode(file, mode);
        return file;
    }

    public async Task<string> OkAsync(params string[] args)
    {
        var result = await RunAsync(args);
        Assert.True(result.ExitCode == 0, $"fleet {string.Join(' ', args)}: {result}");
        return result.StandardOutput;
    }

    /// <summary>A refusal: non-zero exit and exactly one line on stderr starting "fleet: ", with no stack trace.</summary>
    public static string AssertOneLineFailureOf(ProcessResult result) => Fleet.Cli.Tests.FleetCli.AssertOneLineFailure(result);
}
