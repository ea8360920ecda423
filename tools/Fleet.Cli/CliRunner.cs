using System.CommandLine;

namespace Fleet.Cli;

/// <summary>Runs the parsed command and turns every failure into one line on stderr and a non-zero exit.
/// No stack trace ever reaches the user; set FLEET_DEBUG=1 to see one.</summary>
internal static class CliRunner
{
    public static async Task<int> RunAsync(RootCommand root, string[] args)
    {
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };

        try
        {
            var parse = root.Parse(args);
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false }, cancel.Token);
        }
        catch (CliFailure failure)
        {
            await Console.Error.WriteLineAsync($"fleet: {failure.Message}");
            return failure.ExitCode;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("fleet: cancelled");
            return 130;
        }
        catch (Exception ex) when (Environment.GetEnvironmentVariable("FLEET_DEBUG") != "1")
        {
            await Console.Error.WriteLineAsync($"fleet: unexpected error: {ex.Message} (set FLEET_DEBUG=1 for details)");
            return 70;
        }
    }
}
