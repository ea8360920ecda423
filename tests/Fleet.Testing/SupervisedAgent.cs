using System.Collections.Concurrent;

namespace Fleet.Testing;

/// <summary>Runs <c>fleet-boot --root ROOT -- --simulate</c> and starts it again whenever it exits, as systemd's
/// <c>Restart=always</c> does on a Pi, so agents that exit to switch slots (or crash, or are killed) come back through
/// fleet-boot. Every run's output is kept. Dispose stops the loop and kills the current run by its PID.</summary>
public sealed class SupervisedAgent : IAsyncDisposable
{
    private readonly string _root;
    private readonly IReadOnlyList<string> _bootArgs;
    private readonly IDictionary<string, string?>? _environment;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<string> _log = new();
    private readonly Task _loop;
    private volatile ProductProcess? _current;
    private int _starts;

    private SupervisedAgent(string root, IReadOnlyList<string> bootArgs, IDictionary<string, string?>? environment)
    {
        _root = root;
        _bootArgs = bootArgs;
        _environment = environment;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Number of times fleet-boot was started.</summary>
    public int Starts => _starts;

    public string Root => _root;

    /// <summary>Output of every run so far, in order (fleet-boot's lines and the agent's).</summary>
    public string Output => string.Join('\n', _log);

    public static SupervisedAgent Start(string root, int maxTrialAttempts = 2, IDictionary<string, string?>? environment = null) =>
        new(root, ["--root", root, "--max-attempts", maxTrialAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture), "--", "--simulate"], environment);

    /// <summary>kill -9 of the running agent (fleet-boot execs into it, so the PID is the agent's). The supervisor
    /// starts fleet-boot again, like systemd after a crash or a power cut.</summary>
    public void Kill() => _current?.Kill();

    private async Task RunAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var run = ProductProcess.Start(RepoPaths.FleetBoot, _bootArgs, workingDirectory: _root, environment: _environment);
            _current = run;
            var n = Interlocked.Increment(ref _starts);
            _log.Enqueue($"--- supervisor: start {n} (pid {run.Pid})");
            while (!run.HasExited && !_stop.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(100, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }

            await run.DisposeAsync();
            foreach (var line in run.Lines)
            {
                _log.Enqueue(line);
            }

            _log.Enqueue($"--- supervisor: run {n} ended");
            try
            {
                // systemd's RestartSec: a crashing agent does not spin.
                await Task.Delay(300, _stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _current?.Kill();
        await _loop;
        _stop.Dispose();
    }
}
