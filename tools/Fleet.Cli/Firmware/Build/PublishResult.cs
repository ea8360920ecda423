namespace Fleet.Cli.Firmware.Build;

/// <summary>How <c>dotnet publish</c> ended: the exit code, the MSBuild error lines (without the project suffix)
/// and the whole output, which the command keeps in a log file when the publish failed.</summary>
internal sealed record PublishResult(int ExitCode, IReadOnlyList<string> Errors, string Log)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>The first errors, or the last lines of output when MSBuild printed no error line.</summary>
    public string Summary(int lines = 3)
    {
        var chosen = Errors.Count > 0
            ? Errors.Take(lines)
            : Log.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(lines);
        return string.Join(" | ", chosen);
    }

    /// <summary>The one line for people. A missing runtime pack (NU1101 on Microsoft.NETCore.App.Runtime.RID) gets
    /// its own wording: the code is fine, the NuGet sources cannot serve that runtime, which is a different fix.</summary>
    public string Describe(string project, string runtimeIdentifier, string logPath)
    {
        var head = $"dotnet publish of {project} for {runtimeIdentifier} failed (exit {ExitCode})";
        var missingPack = Errors.Any(e => e.Contains("NU1101", StringComparison.Ordinal)
            && e.Contains($"Microsoft.NETCore.App.Runtime.{runtimeIdentifier}.", StringComparison.Ordinal));
        return missingPack
            ? $"{head}: the .NET runtime for {runtimeIdentifier} (Microsoft.NETCore.App.Runtime.{runtimeIdentifier}) is not available from your NuGet sources; add a source that serves it or build for another --architecture; full log in {logPath}; no bundle was written"
            : $"{head}: {Summary()}; full log in {logPath}; no bundle was written";
    }
}
