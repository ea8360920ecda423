namespace Fleet.Cli;

/// <summary>A failure meant for people: one line saying what failed, on which input, and what to do.
/// <see cref="CliRunner"/> prints <see cref="Exception.Message"/> to stderr and exits with <see cref="ExitCode"/>.</summary>
internal sealed class CliFailure(string message, int exitCode = 1) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
