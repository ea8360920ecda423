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
}
