using System.Diagnostics;

namespace Fleet.Cli.Firmware.Build;

/// <summary>The git commit the agent is built from, for the manifest's <c>vcs</c> field; "+dirty" when tracked
/// files differ from it, because then the commit alone does not reproduce the build.</summary>
internal static class SourceRevision
{
    public static async Task<string> DescribeAsync(string directory, CancellationToken cancellationToken)
    {
        var commit = await GitAsync(directory, cancellationToken, "rev-parse", "HEAD");
        if (commit is null)
        {
            // Not a git checkout, or no git installed: the manifest simply says nothing about the source.
            return "";
        }

        var changes = await GitAsync(directory, cancellationToken, "status", "--porcelain", "--untracked-files=no");
        return changes is { Length: > 0 } ? commit + "+dirty" : commit;
    }

    private static async Task<string?> GitAsync(string directory, CancellationToken cancellationToken, params string[] args)
    {
        var psi = new ProcessStartInfo("git")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        try
        {
            using var process = Process.Start(psi)!;
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            _ = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            return process.ExitCode == 0 ? (await output).Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
