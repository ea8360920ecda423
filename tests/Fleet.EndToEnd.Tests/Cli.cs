using Fleet.Testing;

namespace Fleet.EndToEnd.Tests;

/// <summary>Runs the real <c>fleet</c> program with its own config dir and, when given, a hub login from the environment.</summary>
internal static class Cli
{
    public static async Task<string> RunAsync(string configDir, RunningHub? hub, params string[] args)
    {
        var env = new Dictionary<string, string?> { ["FLEET_CONFIG_DIR"] = configDir };
        if (hub is not null)
        {
            env["FLEET_HUB"] = hub.Url;
            env["FLEET_TOKEN"] = hub.AdminToken;
            env["FLEET_CA_CERT"] = hub.CaCertPath;
        }

        var result = await ProductProcess.RunAsync(RepoPaths.CliDll, args, workingDirectory: RepoPaths.Root, environment: env, timeout: TimeSpan.FromMinutes(5));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"fleet {string.Join(' ', args)} exited {result.ExitCode}:\n{result.StandardError}\n{result.StandardOutput}");
        }

        return result.StandardOutput;
    }
}
