using Spectre.Console;

namespace Fleet.Cli;

/// <summary>A Spectre.Console progress bar for long work when stdout is a terminal; silent when redirected,
/// so scripts and tests see only the result.</summary>
internal static class ConsoleProgress
{
    public static bool Interactive => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    public static async Task<T> RunAsync<T>(string title, long total, Func<IProgress<long>, Task<T>> work)
    {
        if (!Interactive || total <= 0)
        {
            return await work(new Progress<long>(_ => { }));
        }

        T result = default!;
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(
                new TaskDescriptionColumn(),
                new ProgressBarColumn(),
                new PercentageColumn(),
                new TransferSpeedColumn(),
                new RemainingTimeColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask(title, maxValue: total);
                var reporter = new SyncProgress(v => task.Value = v);
                result = await work(reporter);
                task.Value = total;
            });
        return result;
    }

    /// <summary>Reports synchronously on the worker thread (Progress&lt;T&gt; would post to the thread pool
    /// and could update the bar after it finished).</summary>
    private sealed class SyncProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
