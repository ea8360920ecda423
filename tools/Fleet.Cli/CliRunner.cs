using System.CommandLine;

namespace Fleet.Cli;

/// <summary>Runs the parsed command and turns every failure into one line on stderr and a non-zero exit.
/// No stack trace ever reaches the user; set FLEET_DEBUG=1 to see one.</summary>
internal static class CliRunner
{
    /// <summary>sysexits.h EX_USAGE: the command line itself was wrong.</summary>
    public const int UsageExitCode = 64;

    private static IEnumerable<string> CommandPath(System.CommandLine.Parsing.CommandResult result)
    {
        var names = new Stack<string>();
        for (System.CommandLine.Parsing.SymbolResult? r = result; r is System.CommandLine.Parsing.CommandResult c && c.Command is not RootCommand; r = r.Parent)
        {
            names.Push(c.Command.Name);
        }

        return names;
    }

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
            if (parse.Errors.Count > 0 && !args.Any(a => a is "-h" or "--help" or "-?"))
            {
                // One line, like every other failure; the command's help says what it takes.
                var command = string.Join(' ', parse.CommandResult.Command is RootCommand ? [] : CommandPath(parse.CommandResult));
                await Console.Error.WriteLineAsync($"fleet: {parse.Errors.OrderBy(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal) ? 0 : 1).First().Message} (see 'fleet {command}{(command.Length > 0 ? " " : "")}--help')");
                return UsageExitCode;
            }

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
