using System.Diagnostics;
using System.Text;

namespace Fleet.Cli.Firmware.Build;

/// <summary>Runs <c>dotnet publish</c> on the agent into a private artifacts folder, so a build for one runtime
/// never rewrites the checkout's obj/ (which a running <c>dotnet build</c> or another publish may be using) and
/// two builds can run side by side.</summary>
internal static class AgentPublisher
{
    /// <summary>Milestones the progress bar counts: restore, the protocol library, the agent, the publish copy.</summary>
    public const int ProgressSteps = 4;

    public static async Task<PublishResult> PublishAsync(string project, BuildTarget target, IEnumerable<string> versionProperties,
        string publishDirectory, string artifactsDirectory, IProgress<long> progress, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo
        {
            FileName = DotnetHost(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(project)!,
        };
        string[] args =
        [
            "publish", project,
            "-c", "Release",
            "-r", target.RuntimeIdentifier,
            "--self-contained", target.SelfContained ? "true" : "false",
            "-o", publishDirectory,
            "--artifacts-path", artifactsDirectory,
            "-nologo",
            // Build servers outlive the publish and inherit its output pipes, so nobody reading them would see the
            // end; they also keep a tree of processes around after `fleet` has exited.
            "-nodeReuse:false",
            "-p:UseSharedCompilation=false",
            // fleet-boot falls back to `dotnet Fleet.Device.dll` when the slot has no executable named Fleet.Device.
            $"-p:UseAppHost={(target.SelfContained ? "true" : "false")}",
            .. versionProperties,
        ];
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["DOTNET_CLI_DO_NOT_USE_MSBUILD_SERVER"] = "1";
        psi.Environment["MSBUILDDISABLENODEREUSE"] = "1";

        var log = new StringBuilder();
        var errors = new List<string>();
        var gate = new Lock();
        var steps = 0;
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (gate)
            {
                log.AppendLine(line);
                if (IsError(line, out var error) && !errors.Contains(error))
                {
                    errors.Add(error);
                }

                if (line.Contains("Restored ", StringComparison.Ordinal) || line.Contains("up-to-date for restore", StringComparison.Ordinal))
                {
                    steps = Math.Max(steps, 1);
                }
                else if (line.Contains(" -> ", StringComparison.Ordinal))
                {
                    steps = Math.Min(steps + 1, ProgressSteps);
                }

                progress.Report(steps);
            }
        }

        using var process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new CliFailure($"cannot run '{psi.FileName}' to publish the agent: {ex.Message}; install the .NET 10 SDK or put dotnet on PATH");
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        // Drain the asynchronous readers before the log is read.
        process.WaitForExit();
        lock (gate)
        {
            return new PublishResult(process.ExitCode, [.. errors], log.ToString());
        }
    }

    /// <summary>The dotnet host running us when started as <c>dotnet fleet.dll</c>, so the SDK found is the one
    /// this CLI came with; otherwise <c>dotnet</c> from PATH (installed as a tool or apphost).</summary>
    private static string DotnetHost()
    {
        var self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }

    /// <summary>MSBuild error lines look like <c>file(3,5): error CS1002: ; expected [project.csproj]</c>.</summary>
    private static bool IsError(string line, out string error)
    {
        error = "";
        var at = line.IndexOf(": error ", StringComparison.Ordinal);
        if (at < 0 && !line.TrimStart().StartsWith("error ", StringComparison.Ordinal))
        {
            return false;
        }

        var text = line.Trim();
        var projectSuffix = text.LastIndexOf(" [", StringComparison.Ordinal);
        if (projectSuffix > 0 && text.EndsWith(']'))
        {
            text = text[..projectSuffix];
        }

        error = text;
        return true;
    }
}
